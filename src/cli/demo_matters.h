/* The phrase bank of `rexian demo`: what people call the hotline about
 * (matters), several ways of saying each, the departments that answer, and
 * the pieces a call-taker's record is put together from. Static tables only;
 * src/cli/demo.c composes and walks the tickets. */
#ifndef REXIAN_DEMO_MATTERS_H
#define REXIAN_DEMO_MATTERS_H

#include <stddef.h>

/* A department named in a table below: the lead of a matter, the wrong first
 * department, a co-handler. DEMO_LOCAL stands for the government of the
 * ticket's area (属地). */
#define DEMO_LOCAL "属地"

/* demo_matter.flags */
#define DEMO_Q 1u  /* a question: mostly answered in the call (一次办结) */
#define DEMO_U 2u  /* urgent: a deadline of one or two days */
#define DEMO_X 4u  /* inside a compound: the address is a building (…小区3栋2单元) */
#define DEMO_S 8u  /* on a street: the address is a road */
#define DEMO_V 16u /* in a village: the address is a village group */
#define DEMO_L 32u /* can be 历史遗留: a consult case may say so */
#define DEMO_B 64u /* a consult case may well go to a city leader (领导交办) */
#define DEMO_WHERE (DEMO_X | DEMO_S | DEMO_V)

/* A category of matters and the departments a 会商 adds (NULL: none). */
typedef struct {
    const char *name, *co[2];
} demo_category;

/* One thing people call about. Texts hold {slot}s (see expand in demo.c);
 * {xq}/{b} need DEMO_X, {road} DEMO_S and {vill} DEMO_V in what callers say. */
typedef struct {
    int cat;                 /* index into demo_categories */
    const char *dept;        /* the lead (canonical name) or DEMO_LOCAL */
    const char *wrong;       /* where the words point a call-taker first, or NULL */
    unsigned char wrong_pct; /* percent of first dispatches sent there, and returned */
    unsigned char esc;       /* percent of its dispatches that are consult/leader cases */
    unsigned char weight, flags;
    unsigned months;      /* bit m: busier in month m (1–12); 0 all year */
    const char *say[6];   /* the matter in different words, NULL after the last */
    const char *reply[3]; /* the department's answers, NULL after the last */
} demo_matter;

/* What a caller adds around the matter. where: the DEMO_X/S/V addresses it
 * fits (0: any). */
typedef struct {
    unsigned char where;
    const char *text;
} demo_phrase;

/* How callers name a department (住建局, 自来水公司…). */
typedef struct {
    const char *name, *spoken;
} demo_department;

extern const demo_category demo_categories[];
extern const demo_matter demo_matters[];
extern const size_t demo_nmatters;
extern const demo_department demo_departments[];
extern const size_t demo_ndepartments;

#endif
