/* NFKC case folding through ICU, and traditional characters written
 * simplified: the one normal form for terms and queries. */
#include "rexian/error.h"
#include "rexian/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

/* Traditional to simplified, one character for one (tools/gen_t2s.c: ICU's
 * Hant-Hans without the characters simplified text writes too). */
#include "t2s_table.h"

uint32_t rx_simplify_char(uint32_t cp)
{
    if (cp < T2S_FIRST || cp > T2S_LAST)
        return cp;
    uint16_t s = t2s_table[cp - T2S_FIRST];
    return s ? s : cp;
}

int rx_text_normalize(char **out, size_t *out_len, const char *s, size_t len)
{
    *out = NULL;
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *nf = unorm2_getNFKCCasefoldInstance(&err);
    if (U_FAILURE(err))
        return rx_error_set(RX_EINVALID, "ICU NFKC_Casefold unavailable: %s", u_errorName(err));
    if (len > (size_t)INT32_MAX / 4)
        return rx_error_set(RX_ETOOBIG, "text too long to normalise");

    int32_t cap16 = (int32_t)len + 1, n16 = 0;
    UChar *src = malloc(sizeof(UChar) * (size_t)cap16);
    UChar *dst = NULL;
    char *res = NULL;
    int rc = RX_ENOMEM;
    if (!src)
        goto done;
    u_strFromUTF8WithSub(src, cap16, &n16, s, (int32_t)len, 0xFFFD, NULL, &err);
    if (U_FAILURE(err)) {
        rc = rx_error_set(RX_EINVALID, "UTF-8 conversion failed: %s", u_errorName(err));
        goto done;
    }
    int32_t capd = n16 * 2 + 16, nd;
    for (;;) {
        dst = malloc(sizeof(UChar) * (size_t)capd);
        if (!dst)
            goto done;
        err = U_ZERO_ERROR;
        nd = unorm2_normalize(nf, src, n16, dst, capd, &err);
        if (err != U_BUFFER_OVERFLOW_ERROR)
            break;
        free(dst);
        capd = nd + 1;
    }
    if (U_FAILURE(err)) {
        rc = rx_error_set(RX_EINVALID, "normalisation failed: %s", u_errorName(err));
        goto done;
    }
    for (int32_t i = 0; i < nd; i++)
        dst[i] = (UChar)rx_simplify_char(dst[i]);
    int32_t n8 = 0;
    err = U_ZERO_ERROR;
    u_strToUTF8(NULL, 0, &n8, dst, nd, &err);
    err = U_ZERO_ERROR;
    res = malloc((size_t)n8 + 1);
    if (!res)
        goto done;
    u_strToUTF8(res, n8 + 1, NULL, dst, nd, &err);
    if (U_FAILURE(err)) {
        free(res);
        res = NULL;
        rc = rx_error_set(RX_EINVALID, "UTF-8 conversion failed: %s", u_errorName(err));
        goto done;
    }
    res[n8] = '\0';
    *out = res;
    if (out_len)
        *out_len = (size_t)n8;
    rc = RX_OK;
done:
    free(src);
    free(dst);
    if (rc == RX_ENOMEM)
        rx_error_set(RX_ENOMEM, "out of memory");
    return rc;
}

void rx_text_fold_dialect(char *s)
{
    for (char *q = s; (q = strstr(q, "冇")); q += 3)
        memcpy(q, "没", 3);
    static const char *const mandarin[] = {"那", "怎", "这", "什", "多", NULL};
    for (char *q = s; (q = strstr(q, "么子"));) {
        bool after = false;
        for (size_t k = 0; mandarin[k] && q - s >= 3; k++)
            after |= !memcmp(q - 3, mandarin[k], 3);
        if (!after)
            memcpy(q, "什么", 6);
        q += 6;
    }
}
