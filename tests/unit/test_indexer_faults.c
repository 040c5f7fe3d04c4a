/* Unit tests of the indexer and the database opener against a hostile
 * environment, in process (as the server's reindex job runs them): what they
 * create is the owner's only under any umask (the CLI's umask(077) in main
 * does not reach a library user), symbolic links in the corpus are refused by
 * rx_build and rx_corpus_load alike, and an unreadable file keeps its
 * documents of the previous generation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "files.h"

#include "rexian/error.h"
#include "rexian/indexer.h"
#include "rexian/kb.h"
#include "rexian/store.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char dir[64];
    char corpus[96], zjj[128], idx[96];
} fixture;

static void write_doc(const char *dir, const char *id, const char *title)
{
    char name[64], text[512];
    snprintf(name, sizeof name, "%s.md", id);
    snprintf(text, sizeof text,
             "---\nid: %s\ntitle: %s\ndepartment: 住建局\ntype: policy\neffective: 2024-01-01\n"
             "---\n%s的正文。\n",
             id, title, title);
    write_file(dir, name, text);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/rexian-unit-faults.XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->corpus, sizeof fx->corpus, "%s/corpus", fx->dir);
    snprintf(fx->zjj, sizeof fx->zjj, "%s/zjj", fx->corpus);
    snprintf(fx->idx, sizeof fx->idx, "%s/idx", fx->dir);
    mkdir(fx->corpus, 0755);
    mkdir(fx->zjj, 0755);
    write_file(fx->corpus, "departments.txt", "市住房和城乡建设局 住建局\n");
    write_doc(fx->zjj, "zjj-1", "装修噪声管理规定");
    write_doc(fx->zjj, "zjj-2", "电梯维修管理规定");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

static int build(rx_diags *d, const fixture *fx, bool full)
{
    rx_build_opts o = {.corpus_dir = fx->corpus, .index_dir = fx->idx, .full = full};
    rx_build_stats st;
    return rx_build(&st, &o, d);
}

/* Fails with the path of every entry under dir that group or others may
 * read, write or enter. */
static void assert_private(const char *dir)
{
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    if (st.st_mode & 077)
        fail_msg("%s has mode %o", dir, (unsigned)(st.st_mode & 0777));
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        assert_int_equal(lstat(p, &st), 0);
        if (S_ISDIR(st.st_mode))
            assert_private(p);
        else if (st.st_mode & 077)
            fail_msg("%s has mode %o", p, (unsigned)(st.st_mode & 0777));
    }
    closedir(d);
}

static void test_index_private_under_umask_0(void **state)
{
    fixture *fx = *state;
    mode_t old = umask(0);
    rx_diags d = {0};
    int rc = build(&d, fx, false);
    write_doc(fx->zjj, "zjj-3", "燃气安全规定"); /* an incremental generation too */
    int rc2 = build(&d, fx, false);
    umask(old);
    assert_int_equal(rc, RX_OK);
    assert_int_equal(rc2, RX_OK);
    assert_int_equal(d.n, 0);
    rx_diags_free(&d);
    assert_private(fx->idx);
}

static void test_database_private_under_umask_0(void **state)
{
    fixture *fx = *state;
    char path[128];
    snprintf(path, sizeof path, "%s/var/rexian.db", fx->dir);
    mode_t old = umask(0);
    sqlite3 *db = NULL, *db2 = NULL;
    int rc = rx_store_open(&db, path);
    /* a second connection must not disturb the first one's locks */
    int rc2 = rx_store_open(&db2, path);
    umask(old);
    assert_int_equal(rc, RX_OK);
    assert_int_equal(rc2, RX_OK);
    assert_int_equal(
        sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", NULL, NULL, NULL),
        SQLITE_OK);
    const char *suffix[] = {"", "-wal", "-shm"};
    for (size_t k = 0; k < 3; k++) {
        char f[160];
        struct stat st;
        snprintf(f, sizeof f, "%s%s", path, suffix[k]);
        assert_int_equal(stat(f, &st), 0);
        if ((st.st_mode & 0777) != 0600)
            fail_msg("%s has mode %o", f, (unsigned)(st.st_mode & 0777));
    }
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db2, "SELECT count(*) FROM t", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(db2);
    sqlite3_close(db);
}

static void test_database_of_an_older_rexian_is_tightened(void **state)
{
    fixture *fx = *state;
    char path[128];
    snprintf(path, sizeof path, "%s/old.db", fx->dir);
    sqlite3 *db = NULL;
    assert_int_equal(rx_store_open(&db, path), RX_OK);
    sqlite3_close(db);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(rx_store_open(&db, path), RX_OK);
    sqlite3_close(db);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static bool has_diag(const rx_diags *d, const char *path, const char *reason)
{
    for (size_t k = 0; k < d->n; k++)
        if (!strcmp(d->items[k].path, path) && strstr(d->items[k].reason, reason))
            return true;
    return false;
}

static void test_links_refused_by_build_and_load(void **state)
{
    fixture *fx = *state;
    char outside[128], target[160], link[160], dlink[160];
    snprintf(outside, sizeof outside, "%s/outside", fx->dir);
    mkdir(outside, 0755);
    write_doc(outside, "out-1", "机密文件");
    snprintf(target, sizeof target, "%s/out-1.md", outside);
    snprintf(link, sizeof link, "%s/link.md", fx->zjj);
    snprintf(dlink, sizeof dlink, "%s/linked", fx->corpus);
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(symlink(outside, dlink), 0);

    rx_diags d = {0};
    assert_int_equal(build(&d, fx, false), RX_OK);
    assert_true(has_diag(&d, "zjj/link.md", "拒绝符号链接"));
    assert_true(has_diag(&d, "linked", "拒绝指向文件夹的符号链接，未读取"));
    rx_diags_free(&d);
    rx_kb *kb = NULL;
    assert_int_equal(rx_kb_open(&kb, fx->idx), RX_OK);
    cJSON *got = NULL;
    assert_int_equal(rx_kb_get(&got, kb, "out-1"), RX_ENOTFOUND);
    assert_int_equal(rx_kb_get(&got, kb, "zjj-1"), RX_OK);
    cJSON_Delete(got);
    rx_kb_free(kb);

    /* the loader of the evaluation tools walks the same way */
    rx_doc *docs = NULL;
    size_t n = 0;
    rx_diags d2 = {0};
    assert_int_equal(rx_corpus_load(&docs, &n, fx->corpus, &d2), RX_OK);
    assert_int_equal(n, 2);
    for (size_t k = 0; k < n; k++) {
        assert_string_not_equal(docs[k].id, "out-1");
        rx_doc_clear(&docs[k]);
    }
    free(docs);
    assert_true(has_diag(&d2, "zjj/link.md", "拒绝符号链接"));
    rx_diags_free(&d2);
}

static void test_unreadable_file_keeps_its_documents(void **state)
{
    fixture *fx = *state;
    rx_diags d = {0};
    assert_int_equal(build(&d, fx, false), RX_OK);
    assert_int_equal(d.n, 0);
    /* a FIFO in the file's place: unreadable even for root, and it must
     * not hang the indexer */
    char path[160];
    snprintf(path, sizeof path, "%s/zjj-2.md", fx->zjj);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(mkfifo(path, 0644), 0);
    write_doc(fx->zjj, "zjj-3", "燃气安全规定");
    assert_int_equal(build(&d, fx, false), RX_OK);
    assert_true(has_diag(&d, "zjj/zjj-2.md", "保留上一版索引中它的 1 篇文档"));
    rx_diags_free(&d);
    rx_kb *kb = NULL;
    assert_int_equal(rx_kb_open(&kb, fx->idx), RX_OK);
    cJSON *got = NULL;
    assert_int_equal(rx_kb_get(&got, kb, "zjj-2"), RX_OK); /* kept */
    cJSON_Delete(got);
    assert_int_equal(rx_kb_get(&got, kb, "zjj-3"), RX_OK); /* the rest published */
    cJSON_Delete(got);
    rx_kb_free(kb);
    /* a full rebuild cannot keep it: it refuses, the index stays */
    rx_diags d2 = {0};
    assert_int_equal(build(&d2, fx, true), RX_EIO);
    assert_non_null(strstr(rx_error_last(), "would drop its 1 document"));
    rx_diags_free(&d2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_index_private_under_umask_0, setup, teardown),
        cmocka_unit_test_setup_teardown(test_database_private_under_umask_0, setup, teardown),
        cmocka_unit_test_setup_teardown(test_database_of_an_older_rexian_is_tightened, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_links_refused_by_build_and_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_file_keeps_its_documents, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
