/* Han → toneless pinyin for typo-tolerant matching (pinyin-IME homophones).
 * The table is generated at build time by tools/gen_pinyin.c from ICU. */
#include "rexian/text.h"

#include "pinyin_table.h"

const char *rx_pinyin(uint32_t cp)
{
    if (cp < 0x4E00 || cp > 0x9FFF)
        return NULL;
    const char *py = py_table[cp - 0x4E00];
    return py[0] ? py : NULL;
}
