/* 案例复盘: casebooks that trainers assemble from past tickets, each case
 * with its timeline, the documents used, the replies, the supervision, the
 * callback outcome and the trainer's lesson; exported as printable HTML
 * and Markdown.
 *
 * A casebook is an immutable snapshot: the cases are read and masked
 * (RX_PII_MASKED, whatever the role of who builds it) when it is created
 * and stored masked, so the casebooks table never holds a caller's data
 * and an export shows exactly what was reviewed, even after the tickets
 * move on. Answers are cJSON documents owned by the caller. */
#ifndef REXIAN_CASEBOOK_H
#define REXIAN_CASEBOOK_H

#include "rexian/tickets.h"
#include "rexian/util.h"

#include <cjson/cJSON.h>

typedef struct rx_casebooks rx_casebooks;

#define RX_CASEBOOK_MAX_CASES 50
#define RX_CASEBOOK_MAX_TITLE 100 /* characters */
#define RX_CASEBOOK_MAX_TEXT 4000 /* characters of the intro and of each lesson */

/* Opens the casebooks kept in the database at path (its own connection;
 * creates or migrates its table). */
int rx_casebooks_open(rx_casebooks **out, const char *path);
void rx_casebooks_free(rx_casebooks *cb); /* NULL-safe */

/* A document's title from its id (the knowledge base, at the route): a
 * new string the caller frees, or NULL when it is not known. */
typedef char *(*rx_doc_title_fn)(void *ctx, const char *id);

/* Assembles and stores a casebook from body:
 *   {"title":"…","intro":"…"?,
 *    "tickets":["ID", … or {"id":"ID","lesson":"…"}, …],
 *    "lessons":{"ID":"…"}?}
 * reading each ticket from t in full and masking it. *out is the stored
 * casebook (rx_casebook_get's answer). RX_EINVALID for a malformed body,
 * RX_EVALUE naming the unknown tickets (nothing is stored then).
 * title (may be NULL) names the documents used. */
int rx_casebook_create(cJSON **out, rx_casebooks *cb, rx_tickets *t, const cJSON *body,
                       const rx_actor *who, rx_doc_title_fn title, void *ctx);

/* One case from a ticket answer with its events and lookups, unmasked as
 * the store gives it (rx_tickets_get for the service): the masked case as
 * a casebook stores it. NULL when memory runs out. */
cJSON *rx_casebook_case(const cJSON *ticket, const char *lesson, rx_doc_title_fn title, void *ctx);

/* The casebook with id ("CB000001"): {"id","title","intro","created",
 * "created_by","cases":[…]}. RX_ENOTFOUND if there is none. */
int rx_casebook_get(cJSON **out, rx_casebooks *cb, const char *id);

/* {"total":N,"casebooks":[{"id","title","created","created_by","cases":N}]},
 * newest first. */
int rx_casebooks_list(cJSON **out, rx_casebooks *cb, int limit, int offset);

/* The casebook as one self-contained printable HTML page (inline CSS,
 * print styles, nothing loaded from elsewhere, every text escaped). */
int rx_casebook_html(rx_buf *out, const cJSON *book);

/* The casebook as Markdown (text escaped so that it renders as text). */
int rx_casebook_markdown(rx_buf *out, const cJSON *book);

/* Shared by the printable exports (the supervision report too). */
/* Appends s HTML-escaped, line breaks as <br>. */
void rx_export_html_text(rx_buf *out, const char *s);
/* Appends s escaped for Markdown inline text, line breaks kept as hard
 * breaks. */
void rx_export_md_text(rx_buf *out, const char *s);
/* Opens a printable page: its head with title (escaped) and the style
 * sheet, up to the opened <h1> of its header. */
void rx_export_html_open(rx_buf *out, const char *title);
/* The style sheet of the printable pages. */
extern const char rx_export_css[];

#endif
