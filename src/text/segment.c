/* Word segmentation of Han runs: friso (MMSEG, dictionary loaded once per
 * process) or ICU's dictionary-based word break iterator. */
#include "rexian/error.h"
#include "rexian/text.h"

#include <friso/friso.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/ustring.h>

#define FRISO_DICT_DIR "/usr/share/friso/dict/UTF-8/"

static pthread_once_t friso_once = PTHREAD_ONCE_INIT;
static friso_t friso_vars;
static friso_config_t friso_cfg;
static int friso_ok;

static void friso_load(void)
{
    friso_vars = friso_new();
    friso_cfg = friso_new_config();
    if (!friso_vars || !friso_cfg)
        return;
    friso_init_config(friso_cfg);
    friso_cfg->add_syn = 0;   /* rexian expands synonyms itself */
    friso_cfg->clr_stw = 0;   /* keep every character: stop words are ranked, not dropped */
    friso_cfg->keep_urec = 1; /* keep unrecognised characters */
    friso_cfg->en_sseg = 0;
    friso_cfg->r_name = 0; /* no person-name guessing: it glues unrelated characters */
    friso_cfg->max_len = 5;
    friso_set_mode(friso_cfg, __FRISO_COMPLEX_MODE__);
    friso_vars->charset = FRISO_UTF8;
    friso_dic_t dic = friso_dic_new();
    friso_set_dic(friso_vars, dic);
    friso_dic_load_from_ifile(friso_vars, friso_cfg, FRISO_DICT_DIR, friso_cfg->max_len * 3);
    friso_ok = friso_all_dic_size(dic) > 0;
}

void rx_segment_warm(void)
{
    pthread_once(&friso_once, friso_load);
}

static int segment_friso(const char *text, size_t len, rx_word_fn fn, void *ctx)
{
    pthread_once(&friso_once, friso_load);
    if (!friso_ok)
        return rx_error_set(RX_EIO, "friso dictionary not found in %s (install friso-dict)",
                            FRISO_DICT_DIR);
    char *copy = malloc(len + 1);
    friso_task_t task = friso_new_task();
    if (!copy || !task) {
        free(copy);
        if (task)
            friso_free_task(task);
        return rx_error_set(RX_ENOMEM, "out of memory");
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    friso_set_text(task, copy);
    while (friso_cfg->next_token(friso_vars, friso_cfg, task) != NULL) {
        /* friso reports offsets into the original text; use them so that its
         * own case folding never changes what we index */
        size_t off = (size_t)task->token->offset, rl = task->token->rlen;
        if (off + rl <= len && rl > 0)
            fn(ctx, text + off, rl);
    }
    friso_free_task(task);
    free(copy);
    return RX_OK;
}

/* Each thread's word break iterator, opened on first use and closed when the
 * thread exits (a worker thread of the HTTP server would leak it otherwise). */
static pthread_once_t icu_once = PTHREAD_ONCE_INIT;
static pthread_key_t icu_key;

static void icu_close(void *brk)
{
    ubrk_close(brk);
}

static void icu_key_create(void)
{
    pthread_key_create(&icu_key, icu_close);
}

static int segment_icu(const char *text, size_t len, rx_word_fn fn, void *ctx)
{
    UErrorCode err = U_ZERO_ERROR;
    pthread_once(&icu_once, icu_key_create);
    UBreakIterator *icu_brk = pthread_getspecific(icu_key);
    if (!icu_brk) {
        icu_brk = ubrk_open(UBRK_WORD, "zh", NULL, 0, &err);
        if (U_FAILURE(err)) {
            ubrk_close(icu_brk);
            return rx_error_set(RX_EIO, "ICU word break: %s", u_errorName(err));
        }
        pthread_setspecific(icu_key, icu_brk);
    }
    UText *ut = utext_openUTF8(NULL, text, (int64_t)len, &err);
    if (U_FAILURE(err))
        return rx_error_set(RX_EINVALID, "ICU text: %s", u_errorName(err));
    ubrk_setUText(icu_brk, ut, &err);
    int32_t start = ubrk_first(icu_brk), end;
    while ((end = ubrk_next(icu_brk)) != UBRK_DONE) {
        if (ubrk_getRuleStatus(icu_brk) != UBRK_WORD_NONE)
            fn(ctx, text + start, (size_t)(end - start));
        start = end;
    }
    utext_close(ut);
    return RX_OK;
}

int rx_segment(rx_seg_kind kind, const char *text, size_t len, rx_word_fn fn, void *ctx)
{
    return kind == RX_SEG_ICU ? segment_icu(text, len, fn, ctx) : segment_friso(text, len, fn, ctx);
}
