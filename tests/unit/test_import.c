/* Importing documents: every fixture (DOCX, PDF and web page made by
 * LibreOffice from tests/fixtures/import, see tests/import/fixtures.sh)
 * converts with its title, department, type, dates and 文号 right and at
 * least 98% of its source's characters; the guesses one by one; every bad
 * input refused with its reason; publishing and supersedes on a corpus of
 * its own, which a refused publish leaves unchanged. */
#include "files.h"
#include "rexian/error.h"
#include "rexian/import.h"
#include "rexian/util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

static const char *fixtures(void)
{
    const char *d = getenv("RX_IMPORT_FIXTURES");
    return d && *d ? d : "build/fixtures/import";
}

static char *read_all(const char *path, size_t *len)
{
    char *data = NULL;
    size_t n = 0;
    if (rx_file_read(&data, &n, path, 64u << 20) != RX_OK) {
        print_error("cannot read %s (make import-fixtures makes the fixtures)\n", path);
        fail();
    }
    if (len)
        *len = n;
    return data;
}

/* The value of key in the fixture's `<!-- expect k=v|k=v -->` line. */
static void expected(char *out, size_t cap, const char *md, const char *key)
{
    out[0] = '\0';
    const char *line = strstr(md, "<!-- expect ");
    assert_non_null(line);
    const char *end = strstr(line, "-->");
    char pat[64];
    snprintf(pat, sizeof pat, "%s=", key);
    for (const char *p = line; p && p < end; p = strchr(p + 1, '|')) {
        const char *k = p == line ? line + strlen("<!-- expect ") : p + 1;
        if (!strncmp(k, pat, strlen(pat))) {
            const char *v = k + strlen(pat);
            size_t n = strcspn(v, "|");
            if (v + n > end)
                n = (size_t)(end - v);
            while (n && v[n - 1] == ' ')
                n--;
            snprintf(out, cap, "%.*s", (int)n, v);
            return;
        }
    }
}

/* The source's text as a reader sees it: no comment, no page header or
 * footer (print furniture), no HTML tags. */
static char *source_text(const char *md)
{
    rx_buf b = {0};
    const char *p = md;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) + 1 : strlen(p);
        if (strncmp(p, "<!--", 4) && strncmp(p, "<div title=\"header\"", 19) &&
            strncmp(p, "<div title=\"footer\"", 19)) {
            bool tag = false;
            for (size_t i = 0; i < n; i++) {
                if (p[i] == '<')
                    tag = true;
                else if (p[i] == '>' && tag)
                    tag = false;
                else if (!tag)
                    rx_buf_putc(&b, p[i]);
            }
        }
        p += n;
    }
    return rx_buf_steal(&b);
}

static rx_import_ctx *shipped(void)
{
    rx_import_ctx *ctx = NULL;
    assert_int_equal(rx_import_ctx_load(&ctx, "corpus"), RX_OK);
    assert_non_null(rx_import_ctx_departments(ctx));
    return ctx;
}

static void fixtures_convert_right_and_complete(void **state)
{
    (void)state;
    rx_import_ctx *ctx = shipped();
    DIR *d = opendir("tests/fixtures/import");
    assert_non_null(d);
    struct dirent *e;
    int checked = 0;
    double worst = 1;
    while ((e = readdir(d)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (nl < 4 || strcmp(e->d_name + nl - 3, ".md"))
            continue;
        char path[512], stem[256];
        snprintf(stem, sizeof stem, "%.*s", (int)(nl - 3), e->d_name);
        snprintf(path, sizeof path, "tests/fixtures/import/%s", e->d_name);
        char *md = read_all(path, NULL);
        char title[512], dep[256], type[32], eff[16], exp[16], docno[128];
        expected(title, sizeof title, md, "title");
        expected(dep, sizeof dep, md, "department");
        expected(type, sizeof type, md, "type");
        expected(eff, sizeof eff, md, "effective");
        expected(exp, sizeof exp, md, "expires");
        expected(docno, sizeof docno, md, "docno");
        char *want = source_text(md);
        static const char *const exts[] = {"docx", "pdf", "html"};
        for (size_t k = 0; k < 3; k++) {
            char file[600], name[300];
            snprintf(name, sizeof name, "%s.%s", stem, exts[k]);
            snprintf(file, sizeof file, "%s/%s", fixtures(), name);
            size_t len;
            char *data = read_all(file, &len);
            rx_import_draft dr;
            int rc = rx_import_convert(&dr, ctx, name, data, len, NULL);
            if (rc != RX_OK)
                print_error("%s: %s\n", name, rx_error_last());
            assert_int_equal(rc, RX_OK);
            assert_string_equal(dr.format, exts[k]);
            assert_string_equal(dr.title, title);
            assert_string_equal(dr.department, dep);
            assert_string_equal(dr.type, type);
            assert_string_equal(dr.effective, eff);
            assert_string_equal(dr.expires, exp);
            if (*docno) {
                assert_non_null(dr.docno);
                assert_string_equal(dr.docno, docno);
            }
            assert_true(dr.guessed & RX_GUESS_TITLE);
            assert_true(dr.guessed & RX_GUESS_DEPARTMENT);
            double ratio = rx_import_text_ratio(want, dr.body);
            printf("import ratio %-20s %.4f\n", name, ratio);
            if (ratio < worst)
                worst = ratio;
            assert_true(ratio >= 0.98);
            /* the file written with its guesses marked is one the indexer reads */
            char *text = rx_import_markdown(&dr, true);
            assert_non_null(strstr(text, "# 推测"));
            rx_doc doc;
            rx_diags diags = {0};
            rc = rx_md_parse(&doc, "x.md", text, strlen(text), rx_import_ctx_departments(ctx),
                             &diags);
            if (rc != RX_OK)
                print_error("%s: %s\n", name, diags.n ? diags.items[0].reason : "?");
            assert_int_equal(rc, RX_OK);
            assert_string_equal(doc.title, title);
            rx_doc_clear(&doc);
            rx_diags_free(&diags);
            free(text);
            rx_import_draft_clear(&dr);
            free(data);
            checked++;
        }
        free(want);
        free(md);
    }
    closedir(d);
    printf("import ratio: %d conversions, the lowest %.4f\n", checked, worst);
    assert_true(checked >= 9);
    rx_import_ctx_free(ctx);
}

/* Converts a file's bytes under a name; returns the status, the reason
 * in *reason. */
static int convert_bytes(const char *name, const void *data, size_t len, const char **reason)
{
    rx_import_ctx *ctx = shipped();
    rx_import_draft d;
    int rc = rx_import_convert(&d, ctx, name, data, len, NULL);
    *reason = rx_error_reason();
    if (rc == RX_OK)
        rx_import_draft_clear(&d);
    else
        assert_true(strlen(rx_error_last()) > 0);
    rx_import_ctx_free(ctx);
    return rc;
}

static void refuses_with(const char *file, const char *as, int code, const char *why)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", fixtures(), file);
    size_t len;
    char *data = read_all(path, &len);
    const char *reason;
    assert_int_equal(convert_bytes(as, data, len, &reason), code);
    assert_string_equal(reason, why);
    free(data);
}

static void scanned_pdf_refused(void **state)
{
    (void)state;
    refuses_with("scan.pdf", "scan.pdf", RX_EVALUE, "no_text_layer");
}

static void encrypted_pdf_refused(void **state)
{
    (void)state;
    refuses_with("encrypted.pdf", "encrypted.pdf", RX_EVALUE, "encrypted");
}

static void extension_must_match_content(void **state)
{
    (void)state;
    refuses_with("zjj-charging.pdf", "通知.docx", RX_EVALUE, "wrong_format");
    refuses_with("zjj-charging.docx", "通知.pdf", RX_EVALUE, "wrong_format");
    refuses_with("zjj-charging.html", "通知.pdf", RX_EVALUE, "wrong_format");
    refuses_with("zjj-charging.docx", "通知.doc", RX_EVALUE, "unsupported_format");
    refuses_with("zjj-charging.docx", "通知.xlsx", RX_EVALUE, "unsupported_format");
    const char *reason;
    static const unsigned char png[] = "\x89PNG\r\n\x1A\n\0\0\0\rIHDR";
    assert_int_equal(convert_bytes("扫描件.pdf", png, sizeof png, &reason), RX_EVALUE);
    assert_string_equal(reason, "wrong_format");
    assert_int_equal(convert_bytes("空.docx", "", 0, &reason), RX_EVALUE);
    assert_string_equal(reason, "empty");
}

static void corrupt_files_refused(void **state)
{
    (void)state;
    char path[600];
    size_t len;
    snprintf(path, sizeof path, "%s/zjj-charging.docx", fixtures());
    char *docx = read_all(path, &len);
    const char *reason;
    /* cut in half: the zip's directory is gone */
    assert_int_equal(convert_bytes("a.docx", docx, len / 2, &reason), RX_EVALUE);
    assert_string_equal(reason, "corrupt");
    /* the middle scrambled: the directory is there, the data is not */
    for (size_t i = len / 4; i < len / 2; i++)
        docx[i] = (char)(docx[i] ^ 0x5A);
    assert_int_equal(convert_bytes("a.docx", docx, len, &reason), RX_EVALUE);
    assert_string_equal(reason, "corrupt");
    free(docx);
    snprintf(path, sizeof path, "%s/zjj-charging.pdf", fixtures());
    char *pdf = read_all(path, &len);
    assert_int_equal(convert_bytes("a.pdf", pdf, 400, &reason), RX_EVALUE);
    assert_string_equal(reason, "corrupt");
    free(pdf);
    /* a zip that is not a Word document */
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_source_keep(src);
    zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    zip_file_add(z, "hello.txt", zip_source_buffer(z, "hi", 2, 0), 0);
    zip_close(z);
    zip_source_open(src);
    zip_stat_t st;
    zip_source_stat(src, &st);
    char *buf = malloc(st.size);
    zip_source_read(src, buf, st.size);
    zip_source_close(src);
    zip_source_free(src);
    assert_int_equal(convert_bytes("a.docx", buf, st.size, &reason), RX_EVALUE);
    assert_string_equal(reason, "wrong_format");
    free(buf);
    zip_error_fini(&ze);
}

/* A .docx made with libzip: word/document.xml of n bytes of filler,
 * optionally encrypted. */
static char *make_docx(size_t n, bool encrypt, size_t *len)
{
    char *xml = malloc(n);
    assert_non_null(xml);
    static const char head[] =
        "<?xml version=\"1.0\"?><w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>";
    memset(xml, ' ', n);
    memcpy(xml, head, sizeof head - 1);
    memcpy(xml + n - 40, "</w:t></w:r></w:p></w:body></w:document>", 40);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_source_keep(src);
    zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    zip_int64_t i = zip_file_add(z, "word/document.xml", zip_source_buffer(z, xml, n, 0), 0);
    assert_true(i >= 0);
    if (encrypt)
        assert_int_equal(zip_file_set_encryption(z, (zip_uint64_t)i, ZIP_EM_AES_256, "secret"), 0);
    assert_int_equal(zip_close(z), 0);
    free(xml);
    zip_source_open(src);
    zip_stat_t st;
    zip_source_stat(src, &st);
    char *buf = malloc(st.size);
    zip_source_read(src, buf, st.size);
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&ze);
    *len = st.size;
    return buf;
}

static void zip_bombs_refused(void **state)
{
    (void)state;
    const char *reason;
    size_t len;
    /* 200 MB of blanks in a few hundred KB: over the unpacked cap */
    char *big = make_docx(200u << 20, false, &len);
    printf("zip bomb: %zu bytes unpack to %u MB\n", len, 200u);
    assert_true(len < 2u << 20);
    assert_int_equal(convert_bytes("炸弹.docx", big, len, &reason), RX_EVALUE);
    assert_string_equal(reason, "zip_bomb");
    free(big);
    /* 8 MB from a few KB: under the cap, over the ratio */
    char *dense = make_docx(8u << 20, false, &len);
    assert_int_equal(convert_bytes("炸弹.docx", dense, len, &reason), RX_EVALUE);
    assert_string_equal(reason, "zip_bomb");
    free(dense);
    /* a small honest one goes through the same gate */
    char *small = make_docx(4096, false, &len);
    assert_int_equal(convert_bytes("小.docx", small, len, &reason), RX_EVALUE);
    assert_string_equal(reason, "empty"); /* blanks only: no text */
    free(small);
}

static void encrypted_docx_refused(void **state)
{
    (void)state;
    const char *reason;
    size_t len;
    char *enc = make_docx(4096, true, &len);
    assert_int_equal(convert_bytes("加密.docx", enc, len, &reason), RX_EVALUE);
    assert_string_equal(reason, "encrypted");
    free(enc);
    /* Word's own encryption: a compound file holding EncryptionInfo */
    unsigned char cfb[1024] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    static const char name[] = "E\0n\0c\0r\0y\0p\0t\0i\0o\0n\0I\0n\0f\0o\0";
    memcpy(cfb + 512, name, sizeof name - 1);
    assert_int_equal(convert_bytes("加密.docx", cfb, sizeof cfb, &reason), RX_EVALUE);
    assert_string_equal(reason, "encrypted");
}

static void too_large_refused_before_reading(void **state)
{
    (void)state;
    const char *reason;
    /* the size alone decides: the bytes past the first are never read */
    static const char pdf[] = "%PDF-1.7";
    assert_int_equal(convert_bytes("大.pdf", pdf, (size_t)RX_IMPORT_MAX_BYTES + 1, &reason),
                     RX_ETOOBIG);
    assert_string_equal(reason, "too_large");
}

/* Converts an HTML snippet (a page with the text as paragraphs). */
static void html_draft(rx_import_draft *d, const char *body)
{
    rx_buf b = {0};
    rx_buf_printf(&b, "<html><head><meta charset=\"utf-8\"></head><body>%s</body></html>", body);
    rx_import_ctx *ctx = shipped();
    rx_import_opts o = {.today = "2025-01-02"};
    int rc = rx_import_convert(d, ctx, "page.html", b.data, b.len, &o);
    if (rc != RX_OK)
        print_error("%s\n", rx_error_last());
    assert_int_equal(rc, RX_OK);
    rx_import_ctx_free(ctx);
    rx_buf_free(&b);
}

static void guesses_dates_type_department(void **state)
{
    (void)state;
    static const struct {
        const char *html, *title, *department, *type, *effective, *expires;
    } cases[] = {
        {"<p>株洲市人力资源和社会保障局文件</p><h1>株洲市就业见习管理办法</h1><p>第一条 …</p>"
         "<p>本办法自2024年3月1日起施行，有效期三年。</p>",
         "株洲市就业见习管理办法", "市人力资源和社会保障局", "policy", "2024-03-01", "2027-02-28"},
        {"<h1>城管局关于春节期间占道经营管理的通告</h1><p>施行日期：2025-01-20</p>"
         "<p>有效期至2025年2月28日。</p>",
         "城管局关于春节期间占道经营管理的通告", "市城市管理和综合执法局", "notice", "2025-01-20",
         "2025-02-28"},
        {"<h1>不动产登记办事指南</h1><p>有效期为2025年1月1日至2026年12月31日。</p>"
         "<p>株洲市不动产登记中心</p>",
         "不动产登记办事指南", "市不动产登记中心", "guide", "2025-01-01", "2026-12-31"},
        {"<h1>关于做好汛期防汛工作的通知</h1><p>本通知自印发之日起施行。</p>"
         "<p>株洲市应急管理局</p><p>二〇二四年五月十日</p>",
         "关于做好汛期防汛工作的通知", "市应急管理局", "notice", "2024-05-10", ""},
        {"<h1>关于燃气安全的提醒</h1><p>请各位居民注意用气安全。</p><p>市燃气公司</p>",
         "关于燃气安全的提醒", "市燃气公司", "notice", "2025-01-02", ""},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        rx_import_draft d;
        html_draft(&d, cases[k].html);
        assert_string_equal(d.title, cases[k].title);
        assert_non_null(d.department);
        assert_string_equal(d.department, cases[k].department);
        assert_string_equal(d.type, cases[k].type);
        assert_string_equal(d.effective, cases[k].effective);
        assert_string_equal(d.expires, cases[k].expires);
        assert_true(d.guessed & RX_GUESS_EFFECTIVE);
        assert_true(!!(d.guessed & RX_GUESS_EXPIRES) == !!*cases[k].expires);
        rx_import_draft_clear(&d);
    }
    /* given, not guessed */
    rx_import_ctx *ctx = shipped();
    rx_import_opts o = {.department = "水务局", .type = "guide"};
    static const char page[] = "<html><body><h1>停水通知</h1><p>明天停水。</p></body></html>";
    rx_import_draft d;
    assert_int_equal(rx_import_convert(&d, ctx, "a.html", page, sizeof page - 1, &o), RX_OK);
    assert_string_equal(d.department, "市水务局");
    assert_string_equal(d.type, "guide");
    assert_false(d.guessed & (RX_GUESS_DEPARTMENT | RX_GUESS_TYPE));
    assert_string_equal(d.folder, "shuiwu"); /* where its department's documents are */
    assert_memory_equal(d.id, "swj-", 4);
    rx_import_draft_clear(&d);
    o.department = "火星局";
    assert_int_equal(rx_import_convert(&d, ctx, "a.html", page, sizeof page - 1, &o), RX_EVALUE);
    assert_string_equal(rx_error_reason(), "unknown_department");
    rx_import_ctx_free(ctx);
}

static void markup_is_escaped_and_tables_kept(void **state)
{
    (void)state;
    rx_import_draft d;
    html_draft(&d, "<h1>株洲市燃气公司关于表格的说明</h1><p>1. 不是列表</p><p># 不是标题</p>"
                   "<table><tr><th>项目</th><th>标准</th></tr><tr><td>a|b</td><td>*x*</td></tr>"
                   "</table><ul><li>一</li><li>二</li></ul>");
    assert_non_null(strstr(d.body, "# 株洲市燃气公司关于表格的说明\n"));
    assert_non_null(strstr(d.body, "1\\. 不是列表"));
    assert_non_null(strstr(d.body, "\\# 不是标题"));
    assert_non_null(strstr(d.body, "| 项目 | 标准 |\n| --- | --- |\n| a\\|b | \\*x\\* |"));
    assert_non_null(strstr(d.body, "- 一\n- 二"));
    rx_import_draft_clear(&d);
}

static void ratio_counts_text_not_markup(void **state)
{
    (void)state;
    assert_true(rx_import_text_ratio("# 标题\n\n正文一二三", "标题 正文一二三") > 0.999);
    assert_true(rx_import_text_ratio("| a | b |\n| --- | --- |\n| 1 | 2 |", "a b 1 2") > 0.999);
    double half = rx_import_text_ratio("一二三四", "一二");
    assert_true(half > 0.49 && half < 0.51);
    assert_true(rx_import_text_ratio("一二三四", "四三二一") < 0.3); /* order counts */
}

/* A corpus of its own: departments.txt, and two documents an import may
 * supersede (one by its 文号, named repealed; one by its title). */
static char *scratch_corpus(void)
{
    char *dir = strdup("/tmp/rexian-import-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char *deps = read_all("corpus/departments.txt", NULL);
    write_file(dir, "departments.txt", deps);
    free(deps);
    char sub[600];
    snprintf(sub, sizeof sub, "%s/yibao", dir);
    mkdir(sub, 0700);
    write_file(dir, "yibao/ybj-2021-003.md",
               "---\nid: ybj-2021-003\ntitle: 株洲市门诊慢特病管理办法\ndepartment: 医保局\n"
               "type: policy\neffective: 2021-03-01\n---\n# 株洲市门诊慢特病管理办法\n\n"
               "株医保发〔2021〕3号\n\n第一条 旧办法。\n");
    write_file(dir, "yibao/ybj-2022-001.md",
               "---\nid: ybj-2022-001\ntitle: 株洲市住房公积金异地转移接续办事指南\n"
               "department: 公积金中心\ntype: guide\neffective: 2022-01-01\n"
               "expires: 2031-01-01\n---\n旧指南。\n");
    return dir;
}

static void tree_digest(char out[33], const char *dir)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "cd '%s' && find . -type f | sort | xargs cat | md5sum", dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(out, 33, p));
    pclose(p);
}

static void publish_supersedes_and_refuses_cleanly(void **state)
{
    (void)state;
    char *dir = scratch_corpus();
    rx_import_ctx *ctx = NULL;
    assert_int_equal(rx_import_ctx_load(&ctx, dir), RX_OK);
    char path[600];
    snprintf(path, sizeof path, "%s/ybj-chronic.docx", fixtures());
    size_t len;
    char *data = read_all(path, &len);
    rx_import_draft d;
    assert_int_equal(rx_import_convert(&d, ctx, "ybj-chronic.docx", data, len, NULL), RX_OK);
    free(data);
    /* named repealed: 原《株洲市门诊慢特病管理办法》（株医保发〔2021〕3号）同时废止 */
    assert_int_equal(d.nsupersedes, 1);
    assert_string_equal(d.supersedes[0].id, "ybj-2021-003");
    assert_string_equal(d.supersedes[0].expires_after, "2025-08-14");
    assert_string_equal(d.folder, "yibao");

    /* refused: an unknown department; nothing written */
    char before[33], after[33];
    tree_digest(before, dir);
    char *good = d.department;
    d.department = strdup("火星局");
    assert_int_equal(rx_import_publish(NULL, dir, &d, false), RX_EVALUE);
    assert_string_equal(rx_error_reason(), "invalid_document");
    tree_digest(after, dir);
    assert_string_equal(before, after);
    free(d.department);
    d.department = good;

    char *rel = NULL;
    assert_int_equal(rx_import_publish(&rel, dir, &d, true), RX_OK);
    assert_memory_equal(rel, "yibao/ybj-2025-", 15);
    char full[700];
    snprintf(full, sizeof full, "%s/%s", dir, rel);
    char *text = read_all(full, NULL);
    assert_non_null(strstr(text, "# 推测"));
    free(text);
    snprintf(full, sizeof full, "%s/yibao/ybj-2021-003.md", dir);
    text = read_all(full, NULL);
    assert_non_null(strstr(text, "expires: 2025-08-14"));
    rx_doc doc;
    rx_diags diags = {0};
    assert_int_equal(rx_md_parse(&doc, "x.md", text, strlen(text), NULL, &diags), RX_OK);
    assert_string_equal(doc.expires, "2025-08-14");
    rx_doc_clear(&doc);
    free(text);

    /* the same id again, given by the admin: a conflict, nothing written */
    d.guessed &= ~(unsigned)RX_GUESS_ID;
    tree_digest(before, dir);
    assert_int_equal(rx_import_publish(NULL, dir, &d, false), RX_ECONFLICT);
    assert_string_equal(rx_error_reason(), "duplicate_id");
    tree_digest(after, dir);
    assert_string_equal(before, after);
    free(rel);
    rx_import_draft_clear(&d);

    /* same title: the older guide ends the day before the new one starts */
    rx_import_ctx_free(ctx);
    assert_int_equal(rx_import_ctx_load(&ctx, dir), RX_OK);
    snprintf(path, sizeof path, "%s/gjj-transfer.pdf", fixtures());
    data = read_all(path, &len);
    assert_int_equal(rx_import_convert(&d, ctx, "gjj-transfer.pdf", data, len, NULL), RX_OK);
    free(data);
    assert_int_equal(d.nsupersedes, 1);
    assert_string_equal(d.supersedes[0].id, "ybj-2022-001");
    assert_string_equal(d.supersedes[0].why, "标题相同");
    assert_string_equal(d.supersedes[0].expires_before, "2031-01-01");
    assert_string_equal(d.supersedes[0].expires_after, "2025-06-30");
    assert_int_equal(rx_import_publish(NULL, dir, &d, false), RX_OK);
    snprintf(full, sizeof full, "%s/yibao/ybj-2022-001.md", dir);
    text = read_all(full, NULL);
    assert_non_null(strstr(text, "expires: 2025-06-30"));
    assert_null(strstr(text, "2031-01-01"));
    free(text);
    rx_import_draft_clear(&d);
    rx_import_ctx_free(ctx);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixtures_convert_right_and_complete),
        cmocka_unit_test(scanned_pdf_refused),
        cmocka_unit_test(encrypted_pdf_refused),
        cmocka_unit_test(extension_must_match_content),
        cmocka_unit_test(corrupt_files_refused),
        cmocka_unit_test(zip_bombs_refused),
        cmocka_unit_test(encrypted_docx_refused),
        cmocka_unit_test(too_large_refused_before_reading),
        cmocka_unit_test(guesses_dates_type_department),
        cmocka_unit_test(markup_is_escaped_and_tables_kept),
        cmocka_unit_test(ratio_counts_text_not_markup),
        cmocka_unit_test(publish_supersedes_and_refuses_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
