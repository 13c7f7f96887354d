package jp.renkei.hub.notify;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code renkei.notify.*}: the WebSocket notification channel (see application.yml for the
 * environment variables).
 *
 * @param bindTimeout       a socket that has not bound a Subscription by then is closed
 * @param tokenLifetime     longest life of a binding token; never longer than the access token it was issued for
 * @param minHeartbeat      shortest heartbeat period a Subscription may ask for, in seconds
 * @param maxHeartbeat      longest heartbeat period, in seconds
 * @param sessionQueue      notifications queued for one socket before it counts as stuck and its queue is dropped
 * @param sendTimeout       a socket that does not take a notification within this time is closed
 * @param maxMessage        largest message a client may send on the socket
 * @param maxEventsPage     most events one {@code $events} call returns
 * @param socketBuffer      size of each connection's network read and write buffers and of each socket's
 *                          WebSocket frame buffers; every open socket holds four of them
 */
@ConfigurationProperties("renkei.notify")
public record NotifyProperties(
        @DefaultValue("5s") Duration bindTimeout,
        @DefaultValue("60m") Duration tokenLifetime,
        @DefaultValue("1") int minHeartbeat,
        @DefaultValue("3600") int maxHeartbeat,
        @DefaultValue("256") int sessionQueue,
        @DefaultValue("10s") Duration sendTimeout,
        @DefaultValue("1KB") DataSize maxMessage,
        @DefaultValue("1000") int maxEventsPage,
        @DefaultValue("2KB") DataSize socketBuffer) {}
