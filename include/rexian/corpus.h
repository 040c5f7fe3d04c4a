/* The corpus: Markdown documents with YAML front matter, FAQ CSV files and
 * the reference lists (departments, calendar, synonyms), as DESIGN.md fixes
 * them. Readers validate every rule and report each problem as
 * PATH:LINE: reason; a broken file never stops the others.
 */
#ifndef REXIAN_CORPUS_H
#define REXIAN_CORPUS_H

#include <stdbool.h>
#include <stddef.h>

#define RX_MAX_FILE_BYTES (32u * 1024 * 1024)
#define RX_MAX_ID_LEN 64

/* One searchable document: a Markdown file or one FAQ row. */
typedef struct {
    char *id;
    char *title;
    char *department; /* canonical name */
    char *type;       /* policy | guide | notice | faq */
    char **tags;
    size_t ntags;
    char effective[11]; /* YYYY-MM-DD, "" for FAQs */
    char expires[11];   /* YYYY-MM-DD, "" if none */
    char *body;         /* Markdown (documents) or the answer (FAQs) */
    char *path;         /* source file, relative to the corpus */
    size_t line;        /* where the document starts in that file */
} rx_doc;

void rx_doc_clear(rx_doc *d);

/* Problems found while reading, in the order found. */
typedef struct {
    char *path;
    size_t line;
    char *reason;
} rx_diag;

typedef struct {
    rx_diag *items;
    size_t n, cap;
} rx_diags;

void rx_diags_add(rx_diags *d, const char *path, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void rx_diags_free(rx_diags *d);

/* Departments: canonical names and their aliases. */
typedef struct rx_departments rx_departments;

int rx_departments_parse(rx_departments **out, const char *path, const char *text, size_t len,
                         rx_diags *diags);
void rx_departments_free(rx_departments *d);
/* Canonical name for a canonical name or alias (after trimming), or NULL. */
const char *rx_departments_canonical(const rx_departments *d, const char *name);
size_t rx_departments_count(const rx_departments *d);
/* Name i (canonical) and its aliases; *n receives the number of aliases. */
const char *rx_departments_name(const rx_departments *d, size_t i, const char *const **aliases,
                                size_t *n);

/* Duties (职责清单, duties.txt): what each department handles, one
 * `department<TAB>duty` per line; the department is stored canonical. Lines
 * naming an unknown department are reported and skipped. deps may be NULL
 * (any name accepted). */
typedef struct {
    char *department;
    char *text;
    size_t line;
} rx_duty;
typedef struct rx_duties rx_duties;
int rx_duties_parse(rx_duties **out, const char *path, const char *text, size_t len,
                    const rx_departments *deps, rx_diags *diags);
void rx_duties_free(rx_duties *d);
size_t rx_duties_count(const rx_duties *d);
const rx_duty *rx_duties_get(const rx_duties *d, size_t i);
/* The valid lines as duties.txt text (stored with the index); caller frees. */
char *rx_duties_serialize(const rx_duties *d);

/* Holidays and adjusted workdays (调休). */
typedef struct rx_calendar rx_calendar;

int rx_calendar_parse(rx_calendar **out, const char *path, const char *text, size_t len,
                      rx_diags *diags);
void rx_calendar_free(rx_calendar *c);
/* Whether a day (days since 1970-01-01) is a working day: Monday to Friday
 * unless a holiday, or a weekend day listed as a workday. */
bool rx_calendar_is_workday(const rx_calendar *c, long day);
/* The day n working days after start (start itself not counted). */
long rx_calendar_add_workdays(const rx_calendar *c, long start, int n);
size_t rx_calendar_count(const rx_calendar *c);

/* Parses a Markdown document. On success fills *out (caller clears it) and
 * returns RX_OK; otherwise adds the reason to diags and returns RX_EINVALID.
 * departments may be NULL (then any department name is accepted). */
int rx_md_parse(rx_doc *out, const char *path, const char *data, size_t len,
                const rx_departments *departments, rx_diags *diags);

/* Parses an FAQ CSV file into documents (*out, *n; free each with
 * rx_doc_clear and the array with free). Bad rows are reported and skipped;
 * a file that cannot be read as a whole (encoding, header) yields no rows
 * and RX_EINVALID. */
int rx_faq_parse(rx_doc **out, size_t *n, const char *path, const char *data, size_t len,
                 const rx_departments *departments, rx_diags *diags);

/* True if s is a valid document id: 1..64 of [a-z0-9-]. */
bool rx_id_valid(const char *s);

#endif
