#define G_LOG_DOMAIN "joconde-rss3"
#include "config.h"

#include "jc-sql-exec.h"

#include <glib/gi18n-lib.h>
#include <setjmp.h>

#include "jc-error.h"
#include "jc-rss3-stream.h"

/* The executor evaluates the checked syntax tree column by column: every expression becomes
 * one vectorised rss3 operation over all rows. Nothing depends on a secret value except
 * through the bits the plan reveals on purpose (docs/sql.md, "What the parties learn"):
 * the number of rows a query outputs, after a secret shuffle. */

/* Above every encoded value (inputs are < 2^62): marks rows outside WHERE in sort keys and
 * is the neutral element of MIN. */
#define BIG (G_GINT64_CONSTANT (1) << 62)

typedef struct {
  JcRss3Ctx *ctx;
  const JcEngineHost *host;
  JcEngineError *err;
  GError *gerr;
  GPtrArray *avecs;   /* every live vector, so a failure can free them all */
  GPtrArray *bvecs;
  GPtrArray *mem;     /* other scratch memory, likewise */
  jmp_buf fail;
} Exec;

/* A column of a relation during evaluation: arithmetic, 1-bit boolean, or both. */
typedef struct {
  JcRss3AVec *a;
  JcRss3BVec *b;
} Val;

/* Where column references and aggregates of an expression find their values. */
typedef struct {
  gsize n;
  JcRss3AVec **cols[2];     /* row context: the columns of the FROM and JOIN tables */
  JcRss3AVec **group_keys;  /* group context: GROUP BY columns */
  JcRss3AVec **aggs;        /* group context: aggregate values */
} Frame;

/* ------------------------------------------------------------------ memory and errors */

static G_GNUC_NORETURN void
ex_fail_gerror (Exec *ex)
{
  gboolean cancelled = ex->gerr != NULL && g_error_matches (ex->gerr, JC_ERROR, JC_ERROR_CANCELLED);
  jc_rss3_error (ex->err, cancelled ? JC_ENGINE_ERR_CANCELLED : JC_ENGINE_ERR_IO, "%s",
                 ex->gerr ? ex->gerr->message : _("The computation failed."));
  longjmp (ex->fail, 1);
}

#define CK(call) do { if (!(call)) ex_fail_gerror (ex); } while (0)

static G_GNUC_NORETURN G_GNUC_PRINTF (3, 4) void
ex_fail (Exec *ex, JcEngineStatus status, const char *format, ...)
{
  /* No heap here: nothing on this path is freed after the jump. */
  char msg[512];
  va_list ap;
  va_start (ap, format);
  g_vsnprintf (msg, sizeof msg, format, ap);
  va_end (ap);
  jc_rss3_error (ex->err, status, "%s", msg);
  longjmp (ex->fail, 1);
}

/* Scratch memory that a failure (longjmp) frees too. */
static gpointer
scratch (Exec *ex, gsize size)
{
  gpointer p = g_malloc0 (MAX (size, 1));
  g_ptr_array_add (ex->mem, p);
  return p;
}

static void
scratch_drop (Exec *ex, gpointer p)
{
  if (p != NULL)
    g_ptr_array_remove_fast (ex->mem, p);
}

/* Every vector of a run is registered with the run, so that a failure anywhere frees them
 * all; the *_drop functions free one early. */
static JcRss3AVec *
avec (Exec *ex, gsize n)
{
  JcRss3AVec *v = jc_rss3_avec_new (n);
  g_ptr_array_add (ex->avecs, v);
  return v;
}

static JcRss3BVec *
bvec (Exec *ex, gsize n)
{
  JcRss3BVec *v = jc_rss3_bvec_new (n, 1);
  g_ptr_array_add (ex->bvecs, v);
  return v;
}

static JcRss3BVec *
bvec_bits (Exec *ex, gsize n, unsigned bits)
{
  JcRss3BVec *v = jc_rss3_bvec_new (n, bits);
  g_ptr_array_add (ex->bvecs, v);
  return v;
}

static void
avec_drop (Exec *ex, JcRss3AVec *v)
{
  /* The array's free function frees it. */
  if (v != NULL)
    g_ptr_array_remove_fast (ex->avecs, v);
}

static void
bvec_drop (Exec *ex, JcRss3BVec *v)
{
  if (v != NULL)
    g_ptr_array_remove_fast (ex->bvecs, v);
}

static JcRss3AVec *
avec_copy (Exec *ex, const JcRss3AVec *v)
{
  JcRss3AVec *d = jc_rss3_avec_dup (v);
  g_ptr_array_add (ex->avecs, d);
  return d;
}

static void
check_cancel (Exec *ex)
{
  if (ex->host->cancelled != NULL && ex->host->cancelled (ex->host->user))
    ex_fail (ex, JC_ENGINE_ERR_CANCELLED, _("The computation was cancelled."));
}

/* ------------------------------------------------------------------ small building blocks */

static JcRss3AVec *
avec_const (Exec *ex, gsize n, int64_t c)
{
  JcRss3AVec *v = avec (ex, n);
  jc_rss3_avec_fill_const (ex->ctx, v, (guint64) c);
  return v;
}

/* A boolean sharing of a public bit: x0 = c, x1 = x2 = 0. */
static JcRss3BVec *
bvec_const (Exec *ex, gsize n, gboolean c)
{
  JcRss3BVec *v = bvec (ex, n);
  unsigned party = jc_rss3_ctx_get_party (ex->ctx);
  guint64 *w = party == 0 ? v->s0 : party == 2 ? v->s1 : NULL;
  if (c && w != NULL)
    for (gsize k = 0; k < v->nwords; k++)
      w[k] = (k + 1 < v->nwords || n % 64 == 0) ? G_MAXUINT64
             : ((G_GUINT64_CONSTANT (1) << (n % 64)) - 1);
  return v;
}

static JcRss3AVec *
arith (Exec *ex, Val *v)
{
  if (v->a == NULL)
    {
      v->a = avec (ex, v->b->n);
      CK (jc_rss3_b2a (ex->ctx, v->b, v->a, &ex->gerr));
    }
  return v->a;
}

static JcRss3BVec *
boolean (Exec *ex, Val *v)
{
  if (v->b == NULL)
    {
      v->b = bvec (ex, v->a->n);
      CK (jc_rss3_eqz (ex->ctx, v->a, v->b, &ex->gerr));
      jc_rss3_bnot (ex->ctx, v->b, v->b);
    }
  return v->b;
}

static JcRss3BVec *
band (Exec *ex, JcRss3BVec *x, JcRss3BVec *y)
{
  JcRss3BVec *o = bvec (ex, x->n);
  CK (jc_rss3_band (ex->ctx, x, y, o, &ex->gerr));
  return o;
}

static JcRss3AVec *
select3 (Exec *ex, JcRss3BVec *c, JcRss3AVec *x, JcRss3AVec *y)
{
  JcRss3AVec *o = avec (ex, x->n);
  CK (jc_rss3_select (ex->ctx, c, x, y, o, &ex->gerr));
  return o;
}

static JcRss3AVec *
mul (Exec *ex, JcRss3AVec *x, JcRss3AVec *y)
{
  JcRss3AVec *o = avec (ex, x->n);
  CK (jc_rss3_mul (ex->ctx, x, y, o, &ex->gerr));
  return o;
}

/* Elements [from, from + n) of v as a new vector (local). */
static JcRss3AVec *
avec_slice (Exec *ex, const JcRss3AVec *v, gsize from, gsize n)
{
  JcRss3AVec *o = avec (ex, n);
  memcpy (o->s0, v->s0 + from, n * sizeof (guint64));
  memcpy (o->s1, v->s1 + from, n * sizeof (guint64));
  return o;
}

/* The sum of all elements as a 1-element vector (local). */
static JcRss3AVec *
avec_total (Exec *ex, const JcRss3AVec *v)
{
  JcRss3AVec *o = avec (ex, 1);
  guint64 a = 0, b = 0;
  for (gsize i = 0; i < v->n; i++)
    {
      a += v->s0[i];
      b += v->s1[i];
    }
  o->s0[0] = a;
  o->s1[0] = b;
  return o;
}

/* ------------------------------------------------------------------ division and roots */

/* [x; y] as one vector (local), so that one call handles both in the same rounds. */
static JcRss3AVec *
avec_concat (Exec *ex, const JcRss3AVec *x, const JcRss3AVec *y)
{
  JcRss3AVec *o = avec (ex, x->n + y->n);
  memcpy (o->s0, x->s0, x->n * sizeof (guint64));
  memcpy (o->s1, x->s1, x->n * sizeof (guint64));
  memcpy (o->s0 + x->n, y->s0, y->n * sizeof (guint64));
  memcpy (o->s1 + x->n, y->s1, y->n * sizeof (guint64));
  return o;
}

static JcRss3BVec *
bvec_concat (Exec *ex, const JcRss3BVec *x, const JcRss3BVec *y)
{
  JcRss3BVec *o = bvec (ex, x->n + y->n);
  for (gsize e = 0; e < x->n + y->n; e++)
    {
      const JcRss3BVec *src = e < x->n ? x : y;
      gsize i = e < x->n ? e : e - x->n;
      o->s0[e / 64] |= ((src->s0[i / 64] >> (i % 64)) & 1) << (e % 64);
      o->s1[e / 64] |= ((src->s1[i / 64] >> (i % 64)) & 1) << (e % 64);
    }
  return o;
}

/* Truncating signed division q = a / b and remainder r (sign of a), for |a| < 2^62,
 * |b| < 2^62 and |a / b| < 2^qbits; b = 0 gives q = r = 0. Restoring long division, one
 * comparison per quotient bit: the bits of |a| above qbits start the remainder. */
static void
divmod (Exec *ex, JcRss3AVec *a, JcRss3AVec *b, guint qbits, JcRss3AVec **q_out,
        JcRss3AVec **r_out)
{
  gsize n = a->n;
  g_assert (qbits >= 1 && qbits <= 62);
  /* |a| and |b| in one sign test and one selection. */
  JcRss3AVec *ab = avec_concat (ex, a, b);
  JcRss3BVec *sab = bvec (ex, 2 * n), *bz = bvec (ex, n);
  CK (jc_rss3_msb (ex->ctx, ab, sab, &ex->gerr));
  CK (jc_rss3_eqz (ex->ctx, b, bz, &ex->gerr));
  JcRss3AVec *nab = avec (ex, 2 * n);
  jc_rss3_neg (ex->ctx, ab, nab);
  JcRss3AVec *uab = select3 (ex, sab, nab, ab);
  JcRss3AVec *ua = avec_slice (ex, uab, 0, n), *ub0 = avec_slice (ex, uab, n, n);
  JcRss3AVec *one = avec_const (ex, n, 1);
  JcRss3AVec *ub = select3 (ex, bz, one, ub0);
  avec_drop (ex, ab); avec_drop (ex, nab); avec_drop (ex, uab); avec_drop (ex, ub0);

  /* The bits of |a| as arithmetic 0/1 values, all converted in one go. */
  JcRss3BVec *abits = bvec_bits (ex, n, 64);
  CK (jc_rss3_a2b (ex->ctx, ua, abits, &ex->gerr));
  JcRss3AVec *bitsA[62];
  {
    /* b2a of a many-plane vector gives the number back; convert plane by plane instead,
     * reading the 62 low planes as one long 1-bit vector. */
    gsize nw = abits->nwords;
    JcRss3BVec *flat = bvec (ex, 62 * nw * 64);
    memcpy (flat->s0, abits->s0, 62 * nw * sizeof (guint64));
    memcpy (flat->s1, abits->s1, 62 * nw * sizeof (guint64));
    JcRss3AVec *fa = avec (ex, flat->n);
    CK (jc_rss3_b2a (ex->ctx, flat, fa, &ex->gerr));
    for (unsigned j = 0; j < 62; j++)
      bitsA[j] = avec_slice (ex, fa, (gsize) j * nw * 64, n);
    avec_drop (ex, fa);
    bvec_drop (ex, flat);
  }
  bvec_drop (ex, abits);

  /* r starts as |a| >> qbits (smaller than |b| since the quotient fits in qbits bits). */
  JcRss3AVec *r = avec_const (ex, n, 0);
  for (int j = 61; j >= (int) qbits; j--)
    {
      jc_rss3_add (ex->ctx, r, r, r);
      jc_rss3_add (ex->ctx, r, bitsA[j], r);
      avec_drop (ex, bitsA[j]);
    }
  JcRss3BVec *qb = bvec_bits (ex, n, qbits);
  for (int j = (int) qbits - 1; j >= 0; j--)
    {
      check_cancel (ex);
      jc_rss3_add (ex->ctx, r, r, r);
      jc_rss3_add (ex->ctx, r, bitsA[j], r);
      JcRss3BVec *c = bvec (ex, n);
      CK (jc_rss3_le (ex->ctx, ub, r, c, &ex->gerr));
      JcRss3AVec *rb = avec (ex, n);
      jc_rss3_sub (ex->ctx, r, ub, rb);
      JcRss3AVec *r2 = select3 (ex, c, rb, r);
      avec_drop (ex, rb);
      avec_drop (ex, r);
      r = r2;
      memcpy (qb->s0 + j * qb->nwords, c->s0, c->nwords * sizeof (guint64));
      memcpy (qb->s1 + j * qb->nwords, c->s1, c->nwords * sizeof (guint64));
      bvec_drop (ex, c);
      avec_drop (ex, bitsA[j]);
    }
  JcRss3AVec *uq = avec (ex, n);
  CK (jc_rss3_b2a (ex->ctx, qb, uq, &ex->gerr));
  bvec_drop (ex, qb);

  /* Signs back (q negative when the signs differ, r has the sign of a), then b = 0 → 0,
   * each step for q and r together. */
  JcRss3BVec *sa = bvec (ex, n), *sb = bvec (ex, n);
  memcpy (sa->s0, sab->s0, sa->nwords * sizeof (guint64));
  memcpy (sa->s1, sab->s1, sa->nwords * sizeof (guint64));
  for (gsize e = 0; e < n; e++)
    {
      sb->s0[e / 64] |= ((sab->s0[(n + e) / 64] >> ((n + e) % 64)) & 1) << (e % 64);
      sb->s1[e / 64] |= ((sab->s1[(n + e) / 64] >> ((n + e) % 64)) & 1) << (e % 64);
    }
  if (n % 64)
    {
      guint64 mask = (G_GUINT64_CONSTANT (1) << (n % 64)) - 1;
      sa->s0[sa->nwords - 1] &= mask;
      sa->s1[sa->nwords - 1] &= mask;
    }
  JcRss3BVec *sq = bvec (ex, n);
  jc_rss3_bxor (ex->ctx, sa, sb, sq);
  JcRss3BVec *sqa = bvec_concat (ex, sq, sa);
  JcRss3AVec *qr = avec_concat (ex, uq, r);
  JcRss3AVec *nqr = avec (ex, 2 * n);
  jc_rss3_neg (ex->ctx, qr, nqr);
  JcRss3AVec *sqr = select3 (ex, sqa, nqr, qr);
  JcRss3BVec *bz2 = bvec_concat (ex, bz, bz);
  JcRss3AVec *zero = avec_const (ex, 2 * n, 0);
  JcRss3AVec *res = select3 (ex, bz2, zero, sqr);
  *q_out = avec_slice (ex, res, 0, n);
  if (r_out != NULL)
    *r_out = avec_slice (ex, res, n, n);
  JcRss3AVec *tmpA[] = { qr, nqr, sqr, zero, res, uq, r, ua, ub, one };
  for (gsize i = 0; i < G_N_ELEMENTS (tmpA); i++)
    avec_drop (ex, tmpA[i]);
  JcRss3BVec *tmpB[] = { sab, sa, sb, bz, sq, sqa, bz2 };
  for (gsize i = 0; i < G_N_ELEMENTS (tmpB); i++)
    bvec_drop (ex, tmpB[i]);
}

/* The number of bits of 10^k: 10^k < 2^bits. */
static guint
pow10_bits (guint k)
{
  guint b = 1;
  while (b < 63 && (G_GUINT64_CONSTANT (1) << b) <= (guint64) jc_sql_pow10 (k))
    b++;
  return b;
}

/* trunc(a · 10^k / b) without forming a · 10^k: q·10^k + trunc(r·10^k / b). */
static JcRss3AVec *
div_scaled (Exec *ex, JcRss3AVec *a, JcRss3AVec *b, guint k)
{
  JcRss3AVec *q, *r;
  divmod (ex, a, b, 62, &q, &r);
  if (k == 0)
    {
      avec_drop (ex, r);
      return q;
    }
  jc_rss3_mul_const (ex->ctx, q, (guint64) jc_sql_pow10 (k), q);
  jc_rss3_mul_const (ex->ctx, r, (guint64) jc_sql_pow10 (k), r);
  JcRss3AVec *f;
  /* |r| < |b|, so |r·10^k / b| < 10^k: a short division. */
  divmod (ex, r, b, pow10_bits (k), &f, NULL);
  jc_rss3_add (ex->ctx, q, f, q);
  avec_drop (ex, r);
  avec_drop (ex, f);
  return q;
}

/* Division by a public power of ten, truncating toward zero. */
static JcRss3AVec *
div_pow10 (Exec *ex, JcRss3AVec *a, guint k)
{
  JcRss3AVec *d = avec_const (ex, a->n, jc_sql_pow10 (k));
  JcRss3AVec *q;
  /* |a| < 2^62 and 10^k ≥ 2^(bits−1): the quotient is below 2^(63−bits). */
  divmod (ex, a, d, MIN (62, 63 - pow10_bits (k)), &q, NULL);
  avec_drop (ex, d);
  return q;
}

/* floor(sqrt(a)) for 0 <= a < 2^62, bit by bit from the top. */
static JcRss3AVec *
isqrt (Exec *ex, JcRss3AVec *a)
{
  gsize n = a->n;
  JcRss3AVec *res = avec_const (ex, n, 0);
  for (int j = 30; j >= 0; j--)
    {
      JcRss3AVec *cand = avec (ex, n);
      jc_rss3_add_const (ex->ctx, res, G_GUINT64_CONSTANT (1) << j, cand);
      JcRss3AVec *sq = mul (ex, cand, cand);
      JcRss3BVec *c = bvec (ex, n);
      CK (jc_rss3_le (ex->ctx, sq, a, c, &ex->gerr));
      JcRss3AVec *r2 = select3 (ex, c, cand, res);
      avec_drop (ex, res);
      avec_drop (ex, cand);
      avec_drop (ex, sq);
      bvec_drop (ex, c);
      res = r2;
    }
  return res;
}

/* ------------------------------------------------------------------ expressions */

static Val eval (Exec *ex, const Frame *f, const JcSqlExpr *e);

static JcRss3AVec *
evalA (Exec *ex, const Frame *f, const JcSqlExpr *e)
{
  Val v = eval (ex, f, e);
  JcRss3AVec *a = arith (ex, &v);
  bvec_drop (ex, v.b);
  return a;
}

static JcRss3BVec *
evalB (Exec *ex, const Frame *f, const JcSqlExpr *e)
{
  Val v = eval (ex, f, e);
  JcRss3BVec *b = boolean (ex, &v);
  avec_drop (ex, v.a);
  return b;
}

static JcRss3BVec *
compare (Exec *ex, JcSqlOp op, JcRss3AVec *x, JcRss3AVec *y)
{
  JcRss3BVec *o = bvec (ex, x->n);
  switch (op)
    {
    case JC_SQL_OP_EQ: CK (jc_rss3_eq (ex->ctx, x, y, o, &ex->gerr)); break;
    case JC_SQL_OP_NE:
      CK (jc_rss3_eq (ex->ctx, x, y, o, &ex->gerr));
      jc_rss3_bnot (ex->ctx, o, o);
      break;
    case JC_SQL_OP_LT: CK (jc_rss3_lt (ex->ctx, x, y, o, &ex->gerr)); break;
    case JC_SQL_OP_LE: CK (jc_rss3_le (ex->ctx, x, y, o, &ex->gerr)); break;
    case JC_SQL_OP_GT: CK (jc_rss3_lt (ex->ctx, y, x, o, &ex->gerr)); break;
    case JC_SQL_OP_GE: CK (jc_rss3_le (ex->ctx, y, x, o, &ex->gerr)); break;
    default: g_assert_not_reached ();
    }
  return o;
}

static Val
eval_binary (Exec *ex, const Frame *f, const JcSqlExpr *e)
{
  Val r = { 0 };
  const JcSqlExpr *ea = e->args[0], *eb = e->args[1];
  if (e->op == JC_SQL_OP_AND || e->op == JC_SQL_OP_OR)
    {
      JcRss3BVec *x = evalB (ex, f, ea), *y = evalB (ex, f, eb);
      r.b = bvec (ex, f->n);
      if (e->op == JC_SQL_OP_AND)
        CK (jc_rss3_band (ex->ctx, x, y, r.b, &ex->gerr));
      else
        CK (jc_rss3_bor (ex->ctx, x, y, r.b, &ex->gerr));
      bvec_drop (ex, x);
      bvec_drop (ex, y);
      return r;
    }
  JcRss3AVec *x = evalA (ex, f, ea), *y = evalA (ex, f, eb);
  switch (e->op)
    {
    case JC_SQL_OP_ADD:
      r.a = avec (ex, f->n);
      jc_rss3_add (ex->ctx, x, y, r.a);
      break;
    case JC_SQL_OP_SUB:
      r.a = avec (ex, f->n);
      jc_rss3_sub (ex->ctx, x, y, r.a);
      break;
    case JC_SQL_OP_MUL:
      r.a = mul (ex, x, y);
      break;
    case JC_SQL_OP_DIV:
      /* a/b at scale s: trunc(a · 10^(s − sa + sb) / b). */
      r.a = div_scaled (ex, x, y, e->type.scale - ea->type.scale + eb->type.scale);
      break;
    default:
      r.b = compare (ex, e->op, x, y);
    }
  avec_drop (ex, x);
  avec_drop (ex, y);
  return r;
}

static Val
eval (Exec *ex, const Frame *f, const JcSqlExpr *e)
{
  Val r = { 0 };
  switch (e->kind)
    {
    case JC_SQL_COLUMN:
      if (f->group_keys != NULL)
        r.a = avec_copy (ex, f->group_keys[e->group_slot - 1]);
      else
        r.a = avec_copy (ex, f->cols[e->side][e->col_index]);
      return r;
    case JC_SQL_LITERAL:
      if (e->type.type == JC_ENGINE_TYPE_BOOL)
        r.b = bvec_const (ex, f->n, e->value != 0);
      else
        r.a = avec_const (ex, f->n, e->value);
      return r;
    case JC_SQL_RESCALE:
      r.a = evalA (ex, f, e->args[0]);
      jc_rss3_mul_const (ex->ctx, r.a,
                         (guint64) jc_sql_pow10 (e->type.scale - e->args[0]->type.scale), r.a);
      return r;
    case JC_SQL_NEG:
      r.a = evalA (ex, f, e->args[0]);
      jc_rss3_neg (ex->ctx, r.a, r.a);
      return r;
    case JC_SQL_NOT:
      r.b = evalB (ex, f, e->args[0]);
      jc_rss3_bnot (ex->ctx, r.b, r.b);
      return r;
    case JC_SQL_BINARY:
      return eval_binary (ex, f, e);
    case JC_SQL_BETWEEN:
      {
        JcRss3AVec *x = evalA (ex, f, e->args[0]);
        JcRss3AVec *lo = evalA (ex, f, e->args[1]);
        JcRss3AVec *hi = evalA (ex, f, e->args[2]);
        JcRss3BVec *c1 = compare (ex, JC_SQL_OP_LE, lo, x);
        JcRss3BVec *c2 = compare (ex, JC_SQL_OP_LE, x, hi);
        r.b = band (ex, c1, c2);
        if (e->negated)
          jc_rss3_bnot (ex->ctx, r.b, r.b);
        avec_drop (ex, x); avec_drop (ex, lo); avec_drop (ex, hi);
        bvec_drop (ex, c1); bvec_drop (ex, c2);
        return r;
      }
    case JC_SQL_IN:
      {
        JcRss3AVec *x = evalA (ex, f, e->args[0]);
        for (guint i = 1; i < e->n_args; i++)
          {
            JcRss3AVec *y = evalA (ex, f, e->args[i]);
            JcRss3BVec *c = compare (ex, JC_SQL_OP_EQ, x, y);
            avec_drop (ex, y);
            if (r.b == NULL)
              r.b = c;
            else
              {
                JcRss3BVec *o = bvec (ex, f->n);
                CK (jc_rss3_bor (ex->ctx, r.b, c, o, &ex->gerr));
                bvec_drop (ex, r.b);
                bvec_drop (ex, c);
                r.b = o;
              }
          }
        avec_drop (ex, x);
        if (e->negated)
          jc_rss3_bnot (ex->ctx, r.b, r.b);
        return r;
      }
    case JC_SQL_CASE:
      {
        guint n_pairs = (e->n_args - 1) / 2;
        if (e->type.type == JC_ENGINE_TYPE_BOOL)
          {
            /* Boolean results stay boolean: (c ∧ v) ∨ (¬c ∧ rest). */
            JcRss3BVec *acc = evalB (ex, f, e->args[e->n_args - 1]);
            for (int i = (int) n_pairs - 1; i >= 0; i--)
              {
                JcRss3BVec *c = evalB (ex, f, e->args[2 * i]);
                JcRss3BVec *v = evalB (ex, f, e->args[2 * i + 1]);
                /* acc ^ (c ∧ (v ^ acc)) */
                JcRss3BVec *d = bvec (ex, f->n);
                jc_rss3_bxor (ex->ctx, v, acc, d);
                JcRss3BVec *cd = band (ex, c, d);
                jc_rss3_bxor (ex->ctx, acc, cd, acc);
                bvec_drop (ex, c); bvec_drop (ex, v); bvec_drop (ex, d); bvec_drop (ex, cd);
              }
            r.b = acc;
            return r;
          }
        JcRss3AVec *acc = evalA (ex, f, e->args[e->n_args - 1]);
        for (int i = (int) n_pairs - 1; i >= 0; i--)
          {
            JcRss3BVec *c = evalB (ex, f, e->args[2 * i]);
            JcRss3AVec *v = evalA (ex, f, e->args[2 * i + 1]);
            JcRss3AVec *o = select3 (ex, c, v, acc);
            bvec_drop (ex, c); avec_drop (ex, v); avec_drop (ex, acc);
            acc = o;
          }
        r.a = acc;
        return r;
      }
    case JC_SQL_AGGREGATE:
      g_assert (f->aggs != NULL);
      r.a = avec_copy (ex, f->aggs[e->agg_slot]);
      return r;
    case JC_SQL_STRING:
      break;
    }
  g_assert_not_reached ();
}

/* ------------------------------------------------------------------ relations */

/* Rows of a query before grouping: the columns of one or two tables and a validity bit
 * (WHERE and the join condition); invalid rows are never removed in a way that shows. */
typedef struct {
  gsize n;
  guint ncols[2];
  JcRss3AVec **cols[2];
  JcRss3BVec *valid;
  gboolean *used[2];   /* columns the query refers to; the others are never computed on */
} Rel;

static void
mark_used (const JcSqlExpr *e, gboolean *used[2])
{
  if (e == NULL)
    return;
  if (e->kind == JC_SQL_COLUMN)
    used[e->side][e->col_index] = TRUE;
  for (guint i = 0; i < e->n_args; i++)
    mark_used (e->args[i], used);
}

static void
rel_mark_used (Exec *ex, Rel *r, const JcSqlQuery *q, guint ncols0, guint ncols1)
{
  r->used[0] = scratch (ex, ncols0 * sizeof (gboolean));
  r->used[1] = scratch (ex, ncols1 * sizeof (gboolean));
  for (guint i = 0; i < q->n_items; i++)
    mark_used (q->items[i].expr, r->used);
  mark_used (q->where, r->used);
  mark_used (q->having, r->used);
  for (guint g = 0; g < q->n_group_by; g++)
    mark_used (q->group_by[g], r->used);
}

static void
rel_clear (Exec *ex, Rel *r)
{
  for (int s = 0; s < 2; s++)
    {
      for (guint c = 0; c < r->ncols[s]; c++)
        avec_drop (ex, r->cols[s][c]);
      scratch_drop (ex, r->cols[s]);
      scratch_drop (ex, r->used[s]);
      r->cols[s] = NULL;
      r->used[s] = NULL;
      r->ncols[s] = 0;
    }
  bvec_drop (ex, r->valid);
  r->valid = NULL;
}

static void
rel_from_table (Exec *ex, Rel *r, int side, const JcSqlTable *t)
{
  r->n = t->n_rows;
  r->ncols[side] = t->n_columns;
  r->cols[side] = scratch (ex, t->n_columns * sizeof (JcRss3AVec *));
  for (guint c = 0; c < t->n_columns; c++)
    r->cols[side][c] = r->used[side][c] ? avec_copy (ex, t->columns[c]) : avec (ex, 0);
}

static guint
key_bits_of (const JcSqlType *t)
{
  switch (t->type)
    {
    case JC_ENGINE_TYPE_BOOL:
      return 3;
    case JC_ENGINE_TYPE_CATEGORY:
      {
        guint b = 2;
        while ((G_GUINT64_CONSTANT (1) << (b - 1)) <= t->n_codes + 1)
          b++;
        return b;
      }
    case JC_ENGINE_TYPE_ID:
      return 64;
    default:
      return 64;
    }
}

/* Joins FROM (any number of rows per key) with JOIN (at most one row per key), as in
 * persons JOIN households (docs/sql.md). Both tables are sorted together by key, the JOIN
 * rows first among equal keys (they come first in the concatenation and the sort is
 * stable); a segmented sum over the runs of equal keys then copies the JOIN row's columns
 * onto every FROM row of its key, and a FROM row is valid when its run had a JOIN row. */
static void
rel_join (Exec *ex, Rel *r, const JcSqlQuery *q, const JcSqlTable *ta, const JcSqlTable *tb)
{
  gsize na = ta->n_rows, nb = tb->n_rows, n = na + nb;
  guint ca = ta->n_columns, cb = tb->n_columns;
  r->ncols[0] = ca;
  r->ncols[1] = cb;
  r->cols[0] = scratch (ex, ca * sizeof (JcRss3AVec *));
  r->cols[1] = scratch (ex, cb * sizeof (JcRss3AVec *));
  if (na == 0 || nb == 0)
    {
      r->n = 0;
      for (guint c = 0; c < ca; c++)
        r->cols[0][c] = avec (ex, 0);
      for (guint c = 0; c < cb; c++)
        r->cols[1][c] = avec (ex, 0);
      r->valid = bvec (ex, 0);
      return;
    }
  /* The concatenation, JOIN rows first: JOIN columns (zero under FROM rows), FROM columns
   * (zero under JOIN rows), the tag (1 for a JOIN row). */
  guint np = cb + ca + 1;
  JcRss3AVec **pay = scratch (ex, np * sizeof (JcRss3AVec *));
  for (guint c = 0; c < cb; c++)
    {
      pay[c] = avec (ex, r->used[1][c] ? n : 0);
      if (!r->used[1][c])
        continue;
      memcpy (pay[c]->s0, tb->columns[c]->s0, nb * sizeof (guint64));
      memcpy (pay[c]->s1, tb->columns[c]->s1, nb * sizeof (guint64));
    }
  for (guint c = 0; c < ca; c++)
    {
      pay[cb + c] = avec (ex, r->used[0][c] ? n : 0);
      if (!r->used[0][c])
        continue;
      memcpy (pay[cb + c]->s0 + nb, ta->columns[c]->s0, na * sizeof (guint64));
      memcpy (pay[cb + c]->s1 + nb, ta->columns[c]->s1, na * sizeof (guint64));
    }
  JcRss3AVec *tag = avec_const (ex, n, 0);
  {
    JcRss3AVec *ones = avec_const (ex, nb, 1);
    memcpy (tag->s0, ones->s0, nb * sizeof (guint64));
    memcpy (tag->s1, ones->s1, nb * sizeof (guint64));
    avec_drop (ex, ones);
  }
  pay[cb + ca] = tag;
  JcRss3AVec *key = avec (ex, n);
  guint ka = q->join_left->col_index, kb = q->join_right->col_index;
  memcpy (key->s0, tb->columns[kb]->s0, nb * sizeof (guint64));
  memcpy (key->s1, tb->columns[kb]->s1, nb * sizeof (guint64));
  memcpy (key->s0 + nb, ta->columns[ka]->s0, na * sizeof (guint64));
  memcpy (key->s1 + nb, ta->columns[ka]->s1, na * sizeof (guint64));
  /* Unused columns (empty vectors) stay out of the sort. */
  JcRss3AVec **sorted = scratch (ex, np * sizeof (JcRss3AVec *));
  guint nsorted = 0;
  for (guint c = 0; c < np; c++)
    if (pay[c]->n == n)
      sorted[nsorted++] = pay[c];
  CK (jc_rss3_sort (ex->ctx, key, key_bits_of (&q->join_left->type), nsorted, sorted,
                    &ex->gerr));
  scratch_drop (ex, sorted);
  check_cancel (ex);

  /* Runs of equal keys: start[0] = 1, start[i] = key[i−1] ≠ key[i]. */
  gsize m = n - 1;
  JcRss3AVec *k0 = avec_slice (ex, key, 0, m), *k1 = avec_slice (ex, key, 1, m);
  JcRss3AVec *t0 = avec_slice (ex, tag, 0, m), *t1 = avec_slice (ex, tag, 1, m);
  JcRss3BVec *same = bvec (ex, m);
  CK (jc_rss3_eq (ex->ctx, k0, k1, same, &ex->gerr));
  /* Two JOIN rows with one key would leave the FROM rows with the sum of both: refuse,
   * revealing one bit (whether any key repeats in the JOIN table). */
  JcRss3AVec *tt = mul (ex, t0, t1);
  Val sv = { .b = same };
  JcRss3AVec *dupv = mul (ex, tt, arith (ex, &sv));
  JcRss3AVec *dupsum = avec_total (ex, dupv);
  JcRss3BVec *nodup = bvec (ex, 1);
  CK (jc_rss3_eqz (ex->ctx, dupsum, nodup, &ex->gerr));
  guint64 nodup_clear = 0;
  CK (jc_rss3_breveal (ex->ctx, nodup, &nodup_clear, &ex->gerr));
  if (!(nodup_clear & 1))
    ex_fail (ex, JC_ENGINE_ERR_INVALID,
             _("The join key %s.%s is not unique in the table %s: each key may appear once "
               "in the table after JOIN."),
             q->join.alias ? q->join.alias : q->join.name, q->join_right->name, q->join.name);
  JcRss3BVec *start = bvec_const (ex, n, TRUE);
  for (gsize i = 1; i < n; i++)
    {
      guint64 b0 = (same->s0[(i - 1) / 64] >> ((i - 1) % 64)) & 1;
      guint64 b1 = (same->s1[(i - 1) / 64] >> ((i - 1) % 64)) & 1;
      /* start = ¬same, shifted by one lane; NOT of a sharing flips the public part only. */
      start->s0[i / 64] ^= b0 << (i % 64);
      start->s1[i / 64] ^= b1 << (i % 64);
    }
  /* start now holds 1 ⊕ same[i−1] for i ≥ 1 (bvec_const put the public 1 in every lane). */

  /* Copy the JOIN row onto its run: a segmented sum of its columns and its tag (zero on
   * FROM rows). */
  JcRss3AVec **sin = scratch (ex, (cb + 1) * sizeof (JcRss3AVec *));
  JcRss3AVec **sout = scratch (ex, (cb + 1) * sizeof (JcRss3AVec *));
  JcRss3AVec **seg_in = scratch (ex, (cb + 1) * sizeof (JcRss3AVec *));
  JcRss3AVec **seg_out = scratch (ex, (cb + 1) * sizeof (JcRss3AVec *));
  guint nseg = 0;
  for (guint c = 0; c < cb; c++)
    {
      sin[c] = pay[c];
      sout[c] = avec (ex, r->used[1][c] ? n : 0);
      if (r->used[1][c])
        {
          seg_in[nseg] = sin[c];
          seg_out[nseg++] = sout[c];
        }
    }
  sin[cb] = tag;
  sout[cb] = avec (ex, n);
  seg_in[nseg] = tag;
  seg_out[nseg++] = sout[cb];
  CK (jc_rss3_seg_sum_many (ex->ctx, start, nseg, (const JcRss3AVec *const *) seg_in, seg_out,
                            &ex->gerr));
  scratch_drop (ex, seg_in);
  scratch_drop (ex, seg_out);
  /* valid = (this row is a FROM row) ∧ (its run has a JOIN row): (1 − tag) · has. */
  JcRss3AVec *from = avec (ex, n);
  jc_rss3_neg (ex->ctx, tag, from);
  jc_rss3_add_const (ex->ctx, from, 1, from);
  JcRss3AVec *va = mul (ex, from, sout[cb]);
  Val vv = { .a = va };
  r->valid = boolean (ex, &vv);
  vv.b = NULL;
  r->n = n;
  for (guint c = 0; c < ca; c++)
    r->cols[0][c] = pay[cb + c];
  for (guint c = 0; c < cb; c++)
    {
      r->cols[1][c] = sout[c];
      avec_drop (ex, pay[c]);
    }
  avec_drop (ex, sout[cb]);
  scratch_drop (ex, sin);
  scratch_drop (ex, sout);
  scratch_drop (ex, pay);
  JcRss3AVec *tmpA[] = { key, k0, k1, t0, t1, tt, sv.a, dupv, dupsum, tag, from, va };
  for (gsize i = 0; i < G_N_ELEMENTS (tmpA); i++)
    avec_drop (ex, tmpA[i]);
  JcRss3BVec *tmpB[] = { same, nodup, start };
  for (gsize i = 0; i < G_N_ELEMENTS (tmpB); i++)
    bvec_drop (ex, tmpB[i]);
}

/* Keeps the rows whose bit is set: shuffle the columns with the bit, reveal the bit, drop
 * the others. The parties learn how many rows remain, nothing about which. */
static gsize
compact (Exec *ex, gsize n, JcRss3AVec **cols, guint ncols, JcRss3BVec *keep)
{
  if (n == 0)
    return 0;
  Val kv = { .b = keep };
  JcRss3AVec *ka = arith (ex, &kv);
  JcRss3AVec **all = scratch (ex, (ncols + 1) * sizeof (JcRss3AVec *));
  memcpy (all, cols, ncols * sizeof (JcRss3AVec *));
  all[ncols] = ka;
  CK (jc_rss3_shuffle (ex->ctx, ncols + 1, all, &ex->gerr));
  guint64 *bits = scratch (ex, n * sizeof (guint64));
  CK (jc_rss3_reveal (ex->ctx, ka, bits, &ex->gerr));
  gsize m = 0;
  for (gsize i = 0; i < n; i++)
    if (bits[i] == 1)
      {
        for (guint c = 0; c < ncols; c++)
          {
            cols[c]->s0[m] = cols[c]->s0[i];
            cols[c]->s1[m] = cols[c]->s1[i];
          }
        m++;
      }
    else if (bits[i] != 0)
      ex_fail (ex, JC_ENGINE_ERR_PROTOCOL, _("A counterpart party sent inconsistent data."));
  for (guint c = 0; c < ncols; c++)
    cols[c]->n = m;
  avec_drop (ex, ka);
  scratch_drop (ex, bits);
  scratch_drop (ex, all);
  return m;
}

/* ------------------------------------------------------------------ aggregation */

/* Per-row inputs of one aggregate, already restricted to valid rows where it matters. */
static JcRss3AVec *
agg_input (Exec *ex, const Frame *f, const JcSqlExpr *agg)
{
  if (agg->n_args == 0 || agg->agg == JC_SQL_AGG_COUNT)
    return avec_const (ex, f->n, 1);
  return evalA (ex, f, agg->args[0]);
}

/* Finishes AVG, VAR and STDDEV from the count, sum and sum of squares. */
static JcRss3AVec *
agg_finish_stat (Exec *ex, const JcSqlExpr *agg, JcRss3AVec *cnt, JcRss3AVec *s1,
                 JcRss3AVec *s2)
{
  guint s = agg->args[0]->type.scale;
  if (agg->agg == JC_SQL_AGG_AVG)
    return div_scaled (ex, s1, cnt, agg->type.scale - s);
  /* n·Σx² − (Σx)² is exact in Z_2^64 whenever the true value is below 2^63. */
  JcRss3AVec *ns2 = mul (ex, cnt, s2), *s1s1 = mul (ex, s1, s1);
  JcRss3AVec *num = avec (ex, cnt->n);
  jc_rss3_sub (ex->ctx, ns2, s1s1, num);
  JcRss3AVec *den;
  if (agg->agg == JC_SQL_AGG_VAR_POP || agg->agg == JC_SQL_AGG_STDDEV_POP)
    den = mul (ex, cnt, cnt);
  else
    {
      JcRss3AVec *c1 = avec (ex, cnt->n);
      jc_rss3_add_const (ex->ctx, cnt, (guint64) -1, c1);
      den = mul (ex, cnt, c1);
      avec_drop (ex, c1);
    }
  JcRss3AVec *out;
  if (agg->agg == JC_SQL_AGG_VAR_POP || agg->agg == JC_SQL_AGG_VAR_SAMP)
    out = div_scaled (ex, num, den, agg->type.scale - 2 * s);
  else
    {
      JcRss3AVec *var = div_scaled (ex, num, den, 2 * agg->type.scale - 2 * s);
      out = isqrt (ex, var);
      avec_drop (ex, var);
    }
  avec_drop (ex, ns2); avec_drop (ex, s1s1); avec_drop (ex, num); avec_drop (ex, den);
  return out;
}

static gboolean
agg_is_stat (JcSqlAgg a)
{
  return a != JC_SQL_AGG_COUNT && a != JC_SQL_AGG_SUM && a != JC_SQL_AGG_MIN
         && a != JC_SQL_AGG_MAX;
}

/* MIN or MAX over all elements by a tree of comparisons (log n rounds). */
static JcRss3AVec *
reduce_minmax (Exec *ex, JcRss3AVec *v, gboolean is_min)
{
  JcRss3AVec *cur = avec_copy (ex, v);
  while (cur->n > 1)
    {
      gsize h = cur->n / 2, odd = cur->n % 2;
      JcRss3AVec *x = avec_slice (ex, cur, 0, h), *y = avec_slice (ex, cur, h, h);
      JcRss3BVec *c = compare (ex, JC_SQL_OP_LT, x, y);
      JcRss3AVec *m = is_min ? select3 (ex, c, x, y) : select3 (ex, c, y, x);
      JcRss3AVec *next = avec (ex, h + odd);
      memcpy (next->s0, m->s0, h * sizeof (guint64));
      memcpy (next->s1, m->s1, h * sizeof (guint64));
      if (odd)
        {
          next->s0[h] = cur->s0[cur->n - 1];
          next->s1[h] = cur->s1[cur->n - 1];
        }
      avec_drop (ex, x); avec_drop (ex, y); avec_drop (ex, m); bvec_drop (ex, c); avec_drop (ex, cur);
      cur = next;
    }
  return cur;
}

/* Aggregates without GROUP BY: one group of all valid rows; returns 1-element vectors. */
static void
aggregate_all (Exec *ex, const JcSqlQuery *q, const Frame *rows, JcRss3BVec *valid,
               JcRss3AVec **aggs)
{
  gsize n = rows->n;
  Val vv = { .b = valid };
  JcRss3AVec *va = n > 0 ? arith (ex, &vv) : NULL;
  JcRss3AVec *cnt = n > 0 ? avec_total (ex, va) : avec_const (ex, 1, 0);
  JcRss3BVec *empty = bvec (ex, 1);
  CK (jc_rss3_eqz (ex->ctx, cnt, empty, &ex->gerr));
  for (guint i = 0; i < q->n_aggregates; i++)
    {
      const JcSqlExpr *agg = q->aggregates[i];
      if (n == 0)
        {
          aggs[i] = avec_const (ex, 1, 0);
          continue;
        }
      if (agg->agg == JC_SQL_AGG_COUNT)
        {
          aggs[i] = avec_copy (ex, cnt);
          continue;
        }
      JcRss3AVec *x = agg_input (ex, rows, agg);
      if (agg->agg == JC_SQL_AGG_MIN || agg->agg == JC_SQL_AGG_MAX)
        {
          gboolean is_min = agg->agg == JC_SQL_AGG_MIN;
          JcRss3AVec *neutral = avec_const (ex, n, is_min ? BIG : -BIG);
          JcRss3AVec *xv = select3 (ex, valid, x, neutral);
          JcRss3AVec *m = reduce_minmax (ex, xv, is_min);
          JcRss3AVec *zero = avec_const (ex, 1, 0);
          aggs[i] = select3 (ex, empty, zero, m);
          avec_drop (ex, neutral); avec_drop (ex, xv); avec_drop (ex, m); avec_drop (ex, zero);
        }
      else
        {
          JcRss3AVec *xv = mul (ex, x, va);
          JcRss3AVec *s1 = avec_total (ex, xv);
          if (agg->agg == JC_SQL_AGG_SUM)
            aggs[i] = s1;
          else
            {
              JcRss3AVec *sq = mul (ex, xv, x);
              JcRss3AVec *s2 = avec_total (ex, sq);
              aggs[i] = agg_finish_stat (ex, agg, cnt, s1, s2);
              avec_drop (ex, sq); avec_drop (ex, s2); avec_drop (ex, s1);
            }
          avec_drop (ex, xv);
        }
      avec_drop (ex, x);
    }
  avec_drop (ex, va);
  avec_drop (ex, cnt);
  bvec_drop (ex, empty);
}

static gboolean
uses_stat (const JcSqlExpr *e)
{
  if (e->kind == JC_SQL_AGGREGATE && agg_is_stat (e->agg))
    return TRUE;
  for (guint i = 0; i < e->n_args; i++)
    if (uses_stat (e->args[i]))
      return TRUE;
  return FALSE;
}

/* Aggregates with GROUP BY, obliviously: sort the rows by the group keys (rows outside WHERE
 * get a key no group has), mark where each group starts, and compute each aggregate with a
 * segmented scan so that the last row of a group holds its value. Returns n rows of which
 * `last` marks one per group; `group_keys` and `aggs` are n-element columns. With `raw`, the
 * statistical aggregates are left unfinished: aggs[i] holds their sum, raw[0] the count and
 * raw[1 + i] the sum of squares, so the divisions run on the output groups only. */
static void
aggregate_grouped (Exec *ex, const JcSqlQuery *q, Frame *rows, JcRss3BVec *valid,
                   gboolean all_valid, JcRss3AVec **group_keys, JcRss3AVec **aggs,
                   JcRss3AVec **raw, JcRss3BVec **last_out, JcRss3BVec **valid_out)
{
  gsize n = rows->n;
  guint ng = q->n_group_by, na = q->n_aggregates;
  /* Payload of the sort: group keys, per-row aggregate inputs, their squares (statistics),
   * the validity. Columns that hold one public constant (COUNT's ones, unused squares, the
   * validity when every row is valid) are the same after any permutation: not sorted. */
  guint np = ng + 2 * na + 1;
  JcRss3AVec **pay = scratch (ex, np * sizeof (JcRss3AVec *));
  gboolean *constant = scratch (ex, np * sizeof (gboolean));
  for (guint g = 0; g < ng; g++)
    pay[g] = evalA (ex, rows, q->group_by[g]);
  for (guint i = 0; i < na; i++)
    {
      const JcSqlExpr *agg = q->aggregates[i];
      pay[ng + i] = agg_input (ex, rows, agg);
      constant[ng + i] = agg->n_args == 0 || agg->agg == JC_SQL_AGG_COUNT;
      if (agg_is_stat (agg->agg) && agg->agg != JC_SQL_AGG_AVG)
        pay[ng + na + i] = mul (ex, pay[ng + i], pay[ng + i]);
      else
        {
          pay[ng + na + i] = avec_const (ex, n, 0);
          constant[ng + na + i] = TRUE;
        }
    }
  if (all_valid)
    {
      pay[np - 1] = avec_const (ex, n, 1);
      constant[np - 1] = TRUE;
    }
  else
    {
      Val vv = { .b = valid };
      pay[np - 1] = avec_copy (ex, arith (ex, &vv));
      avec_drop (ex, vv.a);
    }

  /* Stable sorts from the last key to the first; the first key carries the validity. */
  for (int g = (int) ng - 1; g >= 0; g--)
    {
      JcRss3AVec *key;
      guint bits = key_bits_of (&q->group_by[g]->type);
      if (g == 0 && !all_valid)
        {
          JcRss3BVec *vb = valid;
          if (ng > 1)
            {
              /* The validity has been permuted by the earlier sorts. */
              Val pv = { .a = pay[np - 1] };
              vb = boolean (ex, &pv);
            }
          int64_t sentinel = q->group_by[0]->type.type == JC_ENGINE_TYPE_CATEGORY
                             ? (int64_t) q->group_by[0]->type.n_codes
                             : q->group_by[0]->type.type == JC_ENGINE_TYPE_BOOL ? 2 : BIG;
          JcRss3AVec *s = avec_const (ex, n, sentinel);
          key = select3 (ex, vb, pay[0], s);
          avec_drop (ex, s);
          if (vb != valid)
            bvec_drop (ex, vb);
        }
      else
        key = avec_copy (ex, pay[g]);
      /* The key travels too: payload g is replaced by the sorted key of pass g. */
      avec_drop (ex, pay[g]);
      pay[g] = key;
      JcRss3AVec **others = scratch (ex, np * sizeof (JcRss3AVec *));
      guint k = 0;
      for (guint c = 0; c < np; c++)
        if (c != (guint) g && !constant[c])
          others[k++] = pay[c];
      CK (jc_rss3_sort (ex->ctx, key, bits, k, others, &ex->gerr));
      scratch_drop (ex, others);
      check_cancel (ex);
    }
  /* Group starts: row 0, and every row whose keys differ from the previous row's. */
  JcRss3BVec *start = bvec_const (ex, n, TRUE);
  if (n > 1)
    {
      JcRss3BVec *same = NULL;
      for (guint g = 0; g < ng; g++)
        {
          JcRss3AVec *k0 = avec_slice (ex, pay[g], 0, n - 1), *k1 = avec_slice (ex, pay[g], 1, n - 1);
          JcRss3BVec *e = compare (ex, JC_SQL_OP_EQ, k0, k1);
          avec_drop (ex, k0); avec_drop (ex, k1);
          if (same == NULL)
            same = e;
          else
            {
              JcRss3BVec *o = band (ex, same, e);
              bvec_drop (ex, same); bvec_drop (ex, e);
              same = o;
            }
        }
      /* start[i] = ¬same[i−1] for i ≥ 1; shift the bits by one lane. */
      JcRss3BVec *ns = bvec (ex, n);
      for (gsize i = 1; i < n; i++)
        {
          guint64 b0 = (same->s0[(i - 1) / 64] >> ((i - 1) % 64)) & 1;
          guint64 b1 = (same->s1[(i - 1) / 64] >> ((i - 1) % 64)) & 1;
          ns->s0[i / 64] |= b0 << (i % 64);
          ns->s1[i / 64] |= b1 << (i % 64);
        }
      JcRss3BVec *notsame = bvec (ex, n);
      jc_rss3_bnot (ex->ctx, ns, notsame);
      /* Lane 0 of notsame is ¬0 = 1 already; lanes past n must stay zero. */
      if (n % 64)
        {
          guint64 mask = (G_GUINT64_CONSTANT (1) << (n % 64)) - 1;
          notsame->s0[notsame->nwords - 1] &= mask;
          notsame->s1[notsame->nwords - 1] &= mask;
        }
      bvec_drop (ex, start);
      start = notsame;
      bvec_drop (ex, ns);
      bvec_drop (ex, same);
    }
  /* last[i] = start[i + 1], last[n − 1] = 1. */
  JcRss3BVec *last = bvec_const (ex, n, FALSE);
  {
    JcRss3BVec *one = bvec_const (ex, 1, TRUE);
    for (gsize i = 0; i + 1 < n; i++)
      {
        guint64 b0 = (start->s0[(i + 1) / 64] >> ((i + 1) % 64)) & 1;
        guint64 b1 = (start->s1[(i + 1) / 64] >> ((i + 1) % 64)) & 1;
        last->s0[i / 64] |= b0 << (i % 64);
        last->s1[i / 64] |= b1 << (i % 64);
      }
    last->s0[(n - 1) / 64] |= (one->s0[0] & 1) << ((n - 1) % 64);
    last->s1[(n - 1) / 64] |= (one->s1[0] & 1) << ((n - 1) % 64);
    bvec_drop (ex, one);
  }

  /* Every sum (SUM, COUNT, and the count, sum and sum of squares behind the statistics) in
   * one segmented scan; MIN and MAX in their own. */
  gboolean need_cnt = FALSE;
  for (guint i = 0; i < na; i++)
    need_cnt |= agg_is_stat (q->aggregates[i]->agg);
  JcRss3AVec **sin = scratch (ex, (2 * na + 1) * sizeof (JcRss3AVec *));
  JcRss3AVec **sout = scratch (ex, (2 * na + 1) * sizeof (JcRss3AVec *));
  JcRss3AVec **s2 = scratch (ex, na * sizeof (JcRss3AVec *));
  guint k = 0;
  JcRss3AVec *cnt = NULL, *ones = NULL;
  if (need_cnt)
    {
      ones = avec_const (ex, n, 1);
      cnt = avec (ex, n);
      sin[k] = ones;
      sout[k++] = cnt;
    }
  for (guint i = 0; i < na; i++)
    {
      const JcSqlExpr *agg = q->aggregates[i];
      aggs[i] = avec (ex, n);
      if (agg->agg == JC_SQL_AGG_MIN || agg->agg == JC_SQL_AGG_MAX)
        continue;
      sin[k] = pay[ng + i];
      sout[k++] = aggs[i];
      if (agg_is_stat (agg->agg) && agg->agg != JC_SQL_AGG_AVG)
        {
          s2[i] = avec (ex, n);
          sin[k] = pay[ng + na + i];
          sout[k++] = s2[i];
        }
    }
  check_cancel (ex);
  if (k > 0)
    CK (jc_rss3_seg_sum_many (ex->ctx, start, k, (const JcRss3AVec *const *) sin, sout,
                              &ex->gerr));
  avec_drop (ex, ones);
  scratch_drop (ex, sin);
  scratch_drop (ex, sout);
  for (guint i = 0; i < na; i++)
    {
      const JcSqlExpr *agg = q->aggregates[i];
      check_cancel (ex);
      if (agg->agg == JC_SQL_AGG_MIN)
        CK (jc_rss3_seg_min (ex->ctx, start, pay[ng + i], aggs[i], &ex->gerr));
      else if (agg->agg == JC_SQL_AGG_MAX)
        CK (jc_rss3_seg_max (ex->ctx, start, pay[ng + i], aggs[i], &ex->gerr));
      else if (agg_is_stat (agg->agg))
        {
          if (raw != NULL)
            {
              /* Finished later, on the output groups only. */
              raw[1 + i] = s2[i];
              continue;
            }
          JcRss3AVec *f = agg_finish_stat (ex, agg, cnt, aggs[i], s2[i]);
          avec_drop (ex, aggs[i]);
          avec_drop (ex, s2[i]);
          aggs[i] = f;
        }
    }
  scratch_drop (ex, s2);
  if (raw != NULL)
    raw[0] = cnt;
  else
    avec_drop (ex, cnt);
  for (guint g = 0; g < ng; g++)
    group_keys[g] = pay[g];
  for (guint i = 0; i < na; i++)
    {
      avec_drop (ex, pay[ng + i]);
      avec_drop (ex, pay[ng + na + i]);
    }
  if (all_valid)
    *valid_out = bvec_const (ex, n, TRUE);
  else
    {
      Val pv = { .a = pay[np - 1] };
      *valid_out = boolean (ex, &pv);
    }
  avec_drop (ex, pay[np - 1]);
  bvec_drop (ex, start);
  scratch_drop (ex, pay);
  scratch_drop (ex, constant);
  *last_out = last;
}

/* ------------------------------------------------------------------ one query */

/* Brings a result column to the type of its output column. */
static JcRss3AVec *
to_output_type (Exec *ex, JcRss3AVec *v, const JcSqlType *t, const JcEngineColumn *col)
{
  if (col->type != JC_ENGINE_TYPE_DECIMAL || col->scale == t->scale)
    return v;
  JcRss3AVec *o;
  if (col->scale > t->scale)
    {
      o = avec_copy (ex, v);
      jc_rss3_mul_const (ex->ctx, o, (guint64) jc_sql_pow10 (col->scale - t->scale), o);
    }
  else
    o = div_pow10 (ex, v, t->scale - col->scale);
  avec_drop (ex, v);
  return o;
}

/* ORDER BY: stable sorts from the last key to the first; descending keys are negated. */
static void
order_rows (Exec *ex, const JcSqlQuery *q, JcRss3AVec **cols, gsize m)
{
  if (m < 2)
    return;
  guint nc = q->n_items;
  for (int o = (int) q->n_order_by - 1; o >= 0; o--)
    {
      const JcSqlOrder *ord = &q->order_by[o];
      JcRss3AVec *key = avec_copy (ex, cols[ord->output_column]);
      if (ord->descending)
        jc_rss3_neg (ex->ctx, key, key);
      guint bits = key_bits_of (&q->items[ord->output_column].expr->type);
      CK (jc_rss3_sort (ex->ctx, key, bits, nc, cols, &ex->gerr));
      avec_drop (ex, key);
    }
}

static gsize
run_query (Exec *ex, const JcSqlQuery *q, JcSqlTable *const *inputs, JcRss3AVec **out_cols)
{
  Rel rel = { 0 };
  rel_mark_used (ex, &rel, q, inputs[q->from.input_index]->n_columns,
                 q->has_join ? inputs[q->join.input_index]->n_columns : 0);
  if (q->has_join)
    rel_join (ex, &rel, q, inputs[q->from.input_index], inputs[q->join.input_index]);
  else
    {
      rel_from_table (ex, &rel, 0, inputs[q->from.input_index]);
      rel.valid = bvec_const (ex, rel.n, TRUE);
    }
  Frame rows = { .n = rel.n, .cols = { rel.cols[0], rel.cols[1] } };
  if (q->where != NULL && rel.n > 0)
    {
      JcRss3BVec *w = evalB (ex, &rows, q->where);
      JcRss3BVec *v = band (ex, rel.valid, w);
      bvec_drop (ex, w);
      bvec_drop (ex, rel.valid);
      rel.valid = v;
    }
  check_cancel (ex);

  guint nc = q->n_items;
  gsize m;
  gboolean all_valid = !q->has_join && q->where == NULL;
  if (!q->aggregated)
    {
      /* Keep the valid rows, then compute the result columns on them only. */
      guint total = 0;
      JcRss3AVec **all = scratch (ex, (rel.ncols[0] + rel.ncols[1]) * sizeof (JcRss3AVec *));
      for (int side = 0; side < 2; side++)
        for (guint c = 0; c < rel.ncols[side]; c++)
          if (rel.used[side][c])
            all[total++] = rel.cols[side][c];
      m = compact (ex, rel.n, all, total, rel.valid);
      Frame kept = { .n = m, .cols = { rel.cols[0], rel.cols[1] } };
      for (guint i = 0; i < nc; i++)
        out_cols[i] = m > 0 ? evalA (ex, &kept, q->items[i].expr) : avec (ex, 0);
    }
  else if (q->n_group_by == 0)
    {
      JcRss3AVec **aggs = scratch (ex, q->n_aggregates * sizeof (JcRss3AVec *));
      aggregate_all (ex, q, &rows, rel.valid, aggs);
      Frame one = { .n = 1, .group_keys = NULL, .aggs = aggs };
      gboolean keep = TRUE;
      if (q->having != NULL)
        {
          JcRss3BVec *h = evalB (ex, &one, q->having);
          guint64 bit = 0;
          CK (jc_rss3_breveal (ex->ctx, h, &bit, &ex->gerr));
          keep = bit & 1;
          bvec_drop (ex, h);
        }
      for (guint i = 0; i < nc; i++)
        out_cols[i] = keep ? evalA (ex, &one, q->items[i].expr) : avec (ex, 0);
      for (guint i = 0; i < q->n_aggregates; i++)
        avec_drop (ex, aggs[i]);
      scratch_drop (ex, aggs);
      m = keep ? 1 : 0;
    }
  else if (rel.n == 0)
    {
      for (guint i = 0; i < nc; i++)
        out_cols[i] = avec (ex, 0);
      m = 0;
    }
  else
    {
      guint ng = q->n_group_by, na = q->n_aggregates;
      /* Group keys, aggregates, then (when HAVING needs no statistic) the count and the
       * sums of squares of the statistical aggregates, finished after the compaction. */
      gboolean lazy = q->having == NULL || !uses_stat (q->having);
      guint nraw = 0;
      for (guint i = 0; i < na; i++)
        nraw += agg_is_stat (q->aggregates[i]->agg);
      nraw = (lazy && nraw > 0) ? 1 + na : 0;
      JcRss3AVec **cols = scratch (ex, (ng + na + nraw) * sizeof (JcRss3AVec *));
      JcRss3AVec **raw = nraw > 0 ? cols + ng + na : NULL;
      JcRss3BVec *last = NULL, *gvalid = NULL;
      aggregate_grouped (ex, q, &rows, rel.valid, all_valid, cols, cols + ng, raw, &last, &gvalid);
      JcRss3BVec *keep = all_valid ? jc_rss3_bvec_dup (last) : band (ex, last, gvalid);
      if (all_valid)
        g_ptr_array_add (ex->bvecs, keep);
      if (q->having != NULL)
        {
          /* HAVING is computed for every row under MPC, before anything is revealed. */
          Frame all = { .n = rel.n, .group_keys = cols, .aggs = cols + ng };
          JcRss3BVec *h = evalB (ex, &all, q->having);
          JcRss3BVec *k2 = band (ex, keep, h);
          bvec_drop (ex, h);
          bvec_drop (ex, keep);
          keep = k2;
        }
      /* Columns that are NULL (sums of squares of non-statistics) stay out of the shuffle. */
      guint nc_all = 0;
      JcRss3AVec **moved = scratch (ex, (ng + na + nraw) * sizeof (JcRss3AVec *));
      for (guint i = 0; i < ng + na + nraw; i++)
        if (cols[i] != NULL)
          moved[nc_all++] = cols[i];
      m = compact (ex, rel.n, moved, nc_all, keep);
      scratch_drop (ex, moved);
      if (raw != NULL && m > 0)
        for (guint i = 0; i < na; i++)
          if (agg_is_stat (q->aggregates[i]->agg))
            {
              JcRss3AVec *f = agg_finish_stat (ex, q->aggregates[i], raw[0], cols[ng + i],
                                               raw[1 + i]);
              avec_drop (ex, cols[ng + i]);
              cols[ng + i] = f;
            }
      Frame groups = { .n = m, .group_keys = cols, .aggs = cols + ng };
      for (guint i = 0; i < nc; i++)
        out_cols[i] = m > 0 ? evalA (ex, &groups, q->items[i].expr) : avec (ex, 0);
      for (guint i = 0; i < ng + na + nraw; i++)
        avec_drop (ex, cols[i]);
      scratch_drop (ex, cols);
      bvec_drop (ex, last);
      bvec_drop (ex, gvalid);
      bvec_drop (ex, keep);
    }
  rel_clear (ex, &rel);

  for (guint i = 0; i < nc; i++)
    out_cols[i] = m > 0 ? to_output_type (ex, out_cols[i], &q->items[i].expr->type,
                                          &q->output_schema->columns[i])
                        : out_cols[i];
  order_rows (ex, q, out_cols, m);
  if (q->has_limit && (gsize) q->limit < m)
    {
      m = q->limit;
      for (guint i = 0; i < nc; i++)
        out_cols[i]->n = m;
    }
  return m;
}

gboolean
jc_sql_exec (JcSqlScript *script, JcRss3Ctx *ctx, JcSqlTable *const *inputs, gsize n_inputs,
             JcSqlOutputFunc output, void *user, const JcEngineHost *host, JcEngineError *err)
{
  Exec ex = { .ctx = ctx, .host = host, .err = err };
  ex.avecs = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_rss3_avec_free);
  ex.bvecs = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_rss3_bvec_free);
  ex.mem = g_ptr_array_new_with_free_func (g_free);
  JcRss3AVec **out_cols = NULL;
  if (setjmp (ex.fail) != 0)
    {
      g_free (out_cols);
      g_ptr_array_unref (ex.mem);
      g_ptr_array_unref (ex.avecs);
      g_ptr_array_unref (ex.bvecs);
      g_clear_error (&ex.gerr);
      return FALSE;
    }
  for (guint s = 0; s < script->n_statements; s++)
    {
      const JcSqlQuery *q = script->statements[s].query;
      if (host->progress != NULL)
        host->progress (host->user, (double) s / script->n_statements, script->statements[s].key);
      out_cols = g_new0 (JcRss3AVec *, q->n_items);
      gsize m = run_query (&ex, q, inputs, out_cols);
      if (!output (user, q->output_schema, m, out_cols, err))
        longjmp (ex.fail, 1);
      for (guint i = 0; i < q->n_items; i++)
        avec_drop (&ex, out_cols[i]);
      g_clear_pointer (&out_cols, g_free);
    }
  if (host->progress != NULL)
    host->progress (host->user, 1.0, "done");
  g_ptr_array_unref (ex.mem);
  g_ptr_array_unref (ex.avecs);
  g_ptr_array_unref (ex.bvecs);
  return TRUE;
}
