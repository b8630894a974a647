#!/usr/bin/python3
# Runs Debian's Orca 43 from its Python modules, as /usr/bin/orca does, with the debug
# log in FILE and speech and braille off (Orca still logs each utterance as SPEECH
# OUTPUT). Not through /usr/bin/orca: that refuses to start while any process of the
# same user is named "orca" (another test's Orca, or the user's own), and its --replace
# would kill that one.
#
#   orca-run.py FILE
import sys

from orca import debug

if len(sys.argv) != 2:
    sys.exit('usage: orca-run.py DEBUG-FILE')
debug.debugLevel = debug.LEVEL_ALL
debug.eventDebugLevel = debug.LEVEL_OFF
debug.debugFile = open(sys.argv[1], 'w', buffering=1)  # line by line, for tests to read

from orca import orca  # noqa: E402

manager = orca.getSettingsManager()
manager.activate(None, {'enableSpeech': False, 'enableBraille': False})
sys.path.insert(0, manager.getPrefsDir())
sys.exit(orca.main())
