/* Speech backends and the speech log (speech.h). */
#define _GNU_SOURCE
#include "speech.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "common/log.h"
#if HAVE_SPEECHD
#include <libspeechd.h>
#endif
#if HAVE_ESPEAK
#include <espeak-ng/speak_lib.h>
#endif

enum backend { BACKEND_NONE, BACKEND_SPEECHD, BACKEND_ESPEAK };

struct reader_speech {
	enum backend backend;
	FILE *log;
#if HAVE_SPEECHD
	SPDConnection *spd;
#endif
};

struct reader_speech *reader_speech_create(bool audio, const char *log_path) {
	struct reader_speech *speech = calloc(1, sizeof(*speech));
	if (!speech) {
		return NULL;
	}
	if (log_path) {
		speech->log = fopen(log_path, "ae");
		if (!speech->log) {
			lumen_log_errno(LUMEN_ERROR, "cannot open the speech log %s", log_path);
			free(speech);
			return NULL;
		}
	}
	if (!audio) {
		return speech;
	}
#if HAVE_SPEECHD
	char *error = NULL;
	speech->spd = spd_open2("lumen-reader", "main", NULL, SPD_MODE_THREADED, NULL, 0, &error);
	if (speech->spd) {
		speech->backend = BACKEND_SPEECHD;
		return speech;
	}
	lumen_log(LUMEN_INFO, "no speech-dispatcher (%s): trying espeak-ng",
		error ? error : "?");
	free(error);
#endif
#if HAVE_ESPEAK
	if (espeak_Initialize(AUDIO_OUTPUT_PLAYBACK, 0, NULL, 0) > 0) {
		speech->backend = BACKEND_ESPEAK;
		return speech;
	}
	lumen_log(LUMEN_WARN, "espeak-ng cannot play audio");
#endif
	lumen_log(LUMEN_WARN, "no synthesizer: speaking to the log only");
	return speech;
}

void reader_speech_destroy(struct reader_speech *speech) {
	if (!speech) {
		return;
	}
#if HAVE_SPEECHD
	if (speech->spd) {
		spd_close(speech->spd);
	}
#endif
#if HAVE_ESPEAK
	if (speech->backend == BACKEND_ESPEAK) {
		espeak_Terminate();
	}
#endif
	if (speech->log) {
		fclose(speech->log);
	}
	free(speech);
}

void reader_speech_stop(struct reader_speech *speech) {
	switch (speech->backend) {
	case BACKEND_SPEECHD:
#if HAVE_SPEECHD
		spd_cancel(speech->spd);
#endif
		break;
	case BACKEND_ESPEAK:
#if HAVE_ESPEAK
		espeak_Cancel();
#endif
		break;
	case BACKEND_NONE:
		break;
	}
}

void reader_speech_say(struct reader_speech *speech, const char *text, bool interrupt) {
	if (!text[0]) {
		return;
	}
	if (speech->log) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(speech->log, "%lld.%03ld %s\n", (long long)ts.tv_sec, ts.tv_nsec / 1000000,
			text);
		fflush(speech->log);
	}
	if (interrupt) {
		reader_speech_stop(speech);
	}
	switch (speech->backend) {
	case BACKEND_SPEECHD:
#if HAVE_SPEECHD
		spd_say(speech->spd, interrupt ? SPD_IMPORTANT : SPD_TEXT, text);
#endif
		break;
	case BACKEND_ESPEAK:
#if HAVE_ESPEAK
		espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, NULL);
#endif
		break;
	case BACKEND_NONE:
		break;
	}
}

const char *reader_speech_backend(struct reader_speech *speech) {
	switch (speech->backend) {
	case BACKEND_SPEECHD:
		return "speech-dispatcher";
	case BACKEND_ESPEAK:
		return "espeak-ng";
	case BACKEND_NONE:
		break;
	}
	return "none";
}
