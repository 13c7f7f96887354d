package jp.renkei.hub.notify;

import ca.uhn.fhir.context.FhirContext;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.access.ActiveTokens;
import jp.renkei.hub.access.BrowserOrigins;
import jp.renkei.hub.audit.AuditTrail;
import jp.renkei.hub.store.Durability;
import jp.renkei.hub.store.NotificationEventStore;
import jp.renkei.hub.store.ReceiptStore;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.SubscriptionStore;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

/** Subscriptions, their events and the WebSocket channel at {@code /notifications}. */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class NotifyConfig implements WebSocketConfigurer {

    private static final String FRAME_BUFFER_PROPERTY = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";

    private final NotificationSocket socket;
    private final BrowserOrigins browserOrigins;

    NotifyConfig(NotificationSocket socket, BrowserOrigins browserOrigins) {
        this.socket = socket;
        this.browserOrigins = browserOrigins;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        // A page of another site must not open a socket with a stolen binding token: only the hub's own origin, the
        // listed ones (renkei.web.origins) and clients that send no Origin (not browsers) are let in; others get 403.
        registry.addHandler(socket, "/notifications")
                .setAllowedOrigins(browserOrigins.origins().toArray(String[]::new))
                .addInterceptors(new UpgradeRequired());
    }

    /** Incoming messages are small (bind/unbind); the container refuses bigger ones and closes the socket. */
    @Bean
    static ServletServerContainerFactoryBean webSocketContainer(Environment environment) {
        NotifyProperties properties = early(environment);
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxTextMessageBufferSize((int) properties.maxMessage().toBytes());
        container.setMaxBinaryMessageBufferSize((int) properties.maxMessage().toBytes());
        container.setAsyncSendTimeout(properties.sendTimeout().toMillis());
        return container;
    }

    /**
     * Every open socket holds a network read and write buffer and a WebSocket frame buffer each way, 8KB apiece
     * by default: with 10,000 idle notification sockets that alone is over 300MB of heap. Smaller buffers only
     * mean a large message is read or framed in several pieces.
     */
    @Bean
    static WebServerFactoryCustomizer<TomcatServletWebServerFactory> smallSocketBuffers(Environment environment) {
        NotifyProperties properties = early(environment);
        String size = Long.toString(properties.socketBuffer().toBytes());
        return factory -> {
            // Tomcat's WebSocket frame buffers have no other setting; it is read once, when the first socket opens,
            // so it is set before the server starts, and an operator's own -D value wins.
            if (System.getProperty(FRAME_BUFFER_PROPERTY) == null) {
                System.setProperty(FRAME_BUFFER_PROPERTY, size);
            }
            factory.addConnectorCustomizers(connector -> {
                connector.setProperty("socket.appReadBufSize", size);
                connector.setProperty("socket.appWriteBufSize", size);
            });
        };
    }

    /** Bound here, not injected: the web server and its container are made before configuration properties are. */
    private static NotifyProperties early(Environment environment) {
        return Binder.get(environment).bindOrCreate("renkei.notify", NotifyProperties.class);
    }

    @Configuration(proxyBeanMethods = false)
    static class Beans {

        @Bean
        Subscriptions subscriptions(SubscriptionStore store, FhirContext fhirContext, NotifyProperties properties) {
            return new Subscriptions(store, fhirContext, properties);
        }

        @Bean
        EventLog eventLog(NotificationEventStore store) {
            return new EventLog(store);
        }

        @Bean
        BindingTokens bindingTokens() {
            return new BindingTokens();
        }

        @Bean
        NotificationBundles notificationBundles(FhirContext fhirContext) {
            return new NotificationBundles(fhirContext);
        }

        @Bean
        NotificationSocket notificationSocket(
                BindingTokens tokens,
                Subscriptions subscriptions,
                EventLog events,
                NotificationBundles bundles,
                NotifyProperties properties,
                ActiveTokens activeTokens) {
            return new NotificationSocket(tokens, subscriptions, events, bundles, properties, activeTokens);
        }

        @Bean(destroyMethod = "shutdownNow")
        @SuppressWarnings("FutureReturnValueIgnored") // the round logs its own failures and runs until shutdown
        ScheduledExecutorService notificationTicker(NotificationSocket socket) {
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "renkei-notify-tick");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleWithFixedDelay(
                    () -> {
                        try {
                            socket.tick();
                        } catch (RuntimeException e) {
                            org.slf4j.LoggerFactory.getLogger(NotifyConfig.class)
                                    .error("Notification heartbeat round failed", e);
                        }
                    },
                    1,
                    1,
                    TimeUnit.SECONDS);
            return ticker;
        }

        @Bean
        NotificationDispatcher notificationDispatcher(
                Records records,
                Subscriptions subscriptions,
                EventLog events,
                NotificationSocket socket,
                NotificationBundles bundles,
                AccessGuard guard,
                AuditTrail audit,
                Receipts receipts,
                Durability durability) {
            return new NotificationDispatcher(
                    records, subscriptions, events, socket, bundles, guard, audit, receipts, durability);
        }

        @Bean
        Receipts receipts(ReceiptStore store, Subscriptions subscriptions) {
            return new Receipts(store, subscriptions);
        }

        @Bean
        ReceiptOperations receiptOperations(Receipts receipts, Records records, AccessGuard guard) {
            return new ReceiptOperations(receipts, records, guard);
        }

        @Bean
        SubscriptionCapabilities subscriptionCapabilities() {
            return new SubscriptionCapabilities();
        }

        @Bean
        SubscriptionProvider subscriptionProvider(
                Subscriptions subscriptions,
                EventLog events,
                BindingTokens tokens,
                NotificationBundles bundles,
                NotificationDispatcher dispatcher,
                NotificationSocket socket,
                Receipts receipts,
                AccessGuard guard,
                Records records,
                NotifyProperties properties,
                FhirContext fhirContext,
                ActiveTokens activeTokens) {
            return new SubscriptionProvider(
                    subscriptions,
                    events,
                    tokens,
                    bundles,
                    dispatcher,
                    socket,
                    receipts,
                    guard,
                    records,
                    properties,
                    fhirContext,
                    activeTokens);
        }
    }
}
