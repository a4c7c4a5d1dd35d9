#ifndef RESONATE_CRDKAFKA_SHIM_H
#define RESONATE_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* rd_kafka_producev is variadic, which Swift cannot call: produce one message through it here.
   Takes ownership of `headers` (may be NULL) on success. Every symbol used exists since librdkafka 2.0. */
static inline rd_kafka_resp_err_t resonate_rd_kafka_produce(rd_kafka_t *rk,
                                                            const char *topic,
                                                            int32_t partition,
                                                            const void *value,
                                                            size_t value_length,
                                                            const void *key,
                                                            size_t key_length,
                                                            rd_kafka_headers_t *headers,
                                                            void *opaque) {
    if (headers) {
        return rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                 RD_KAFKA_V_VALUE((void *)value, value_length),
                                 RD_KAFKA_V_KEY(key, key_length), RD_KAFKA_V_HEADERS(headers),
                                 RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
    }
    return rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_VALUE((void *)value, value_length), RD_KAFKA_V_KEY(key, key_length),
                             RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
}
#endif
