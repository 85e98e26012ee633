#pragma once

/* The messages of the link protocol (docs/wire.md): an envelope is one message
 * between nodes; a frame is one WebSocket text frame on a parent-child link. */

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define JC_NET_ADDRESS_ROOT   "@root"
#define JC_NET_ADDRESS_PARENT "@parent"
#define JC_NET_MAX_RECIPIENTS 1024
#define JC_NET_DEFAULT_MAX_MESSAGE (4 * 1024 * 1024)

typedef struct {
  char      *id;       /* 32 lowercase hex digits, random */
  char      *from;     /* node id of the origin */
  char     **to;       /* node ids, or @root / @parent */
  char      *topic;
  char      *created;  /* RFC 3339 UTC */
  JsonNode  *body;
  char      *text;     /* the envelope's JSON text, exactly as received or built */
} JcNetEnvelope;

JcNetEnvelope *jc_net_envelope_new   (const char         *from,
                                      const char *const  *to,
                                      const char         *topic,
                                      JsonNode           *body);
JcNetEnvelope *jc_net_envelope_parse (const char         *text,
                                      gsize               max_size,
                                      GError            **error);
void           jc_net_envelope_free  (JcNetEnvelope      *env);
char          *jc_net_message_id_new (void);
gboolean       jc_net_node_id_valid  (const char         *id);
gboolean       jc_net_address_valid  (const char         *address);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcNetEnvelope, jc_net_envelope_free)

typedef enum {
  JC_NET_FRAME_MSG,
  JC_NET_FRAME_ACK,
  JC_NET_FRAME_NACK,
} JcNetFrameKind;

typedef struct {
  JcNetFrameKind  kind;
  char           *id;      /* message id (all kinds) */
  gint64          seq;     /* the sender's outbox entry (all kinds) */
  char          **to;      /* MSG: the recipients this copy is for */
  JcNetEnvelope  *envelope;/* MSG */
  char           *code;    /* NACK: machine-readable reason */
  char           *reason;  /* NACK: words for a person */
} JcNetFrame;

JcNetFrame *jc_net_frame_parse (const char  *data,
                                gsize        len,
                                gsize        max_message,
                                GError     **error);
void        jc_net_frame_free  (JcNetFrame  *frame);
char       *jc_net_frame_msg   (gint64             seq,
                                const char *const *to,
                                const char        *envelope_text);
char       *jc_net_frame_ack   (const char *id,
                                gint64      seq);
char       *jc_net_frame_nack  (const char *id,
                                gint64      seq,
                                const char *code,
                                const char *reason);
const char *jc_net_error_code  (const GError *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcNetFrame, jc_net_frame_free)

G_END_DECLS
