#ifndef A11Y_READER_SPEECH_H
#define A11Y_READER_SPEECH_H

/* The reader's voice: speech-dispatcher (the user's voice and rate apply), else
 * espeak-ng directly, else silence; and the speech log the tests read. */

#include <stdbool.h>

struct reader_speech;

/** audio false: no synthesizer at all (--no-audio). log_path may be NULL. NULL only when
 * the log cannot be opened. */
struct reader_speech *reader_speech_create(bool audio, const char *log_path);
void reader_speech_destroy(struct reader_speech *speech);
/** interrupt: stop what is being said first (a new focus makes it stale). */
void reader_speech_say(struct reader_speech *speech, const char *text, bool interrupt);
void reader_speech_stop(struct reader_speech *speech);
/** Which synthesizer speaks: "speech-dispatcher", "espeak-ng" or "none". */
const char *reader_speech_backend(struct reader_speech *speech);

#endif
