package jp.renkei.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import jp.renkei.hub.access.SecuredHub;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.logging.LoggingSystem;

/**
 * Where test classes get their hubs ({@link Hub}): at most one shared hub of each kind for the whole test run, kept in
 * JUnit's root store and stopped when the run ends, and the own hubs of the classes that say why they need one, kept in
 * the class's store and stopped after it. A hub costs seconds to start (a Spring context, its FHIR context, the
 * validator's warm-up), so most classes share.
 */
public final class Hubs implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Hubs.class);
    private static final Logger log = LoggerFactory.getLogger(Hubs.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == HubInstance.class || type == SecuredHub.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        boolean secured = parameter.getParameter().getType() == SecuredHub.class;
        Class<?> testClass = context.getRequiredTestClass();
        Hub wanted = AnnotationSupport.findAnnotation(testClass, Hub.class).orElse(null);
        String kind = secured ? "secured" : "plain";
        if (wanted == null || wanted.own().isBlank()) {
            if (wanted != null && wanted.properties().length > 0) {
                throw new ExtensionConfigurationException(
                        testClass.getName()
                                + ": the shared hub has the settings of every test hub; a class that needs others says why in @Hub(own = ...)");
            }
            Started shared = context.getRoot()
                    .getStore(NAMESPACE)
                    .getOrComputeIfAbsent(
                            "shared " + kind,
                            key -> start(
                                    secured,
                                    "shared " + kind + " hub of the run, first for " + testClass.getSimpleName(),
                                    new String[0]),
                            Started.class);
            if (shared.hub() instanceof SecuredHub world) {
                world.lendTo(testClass.getName());
            }
            return shared.hub();
        }
        // a @BeforeAll's context is the class's: its store is closed after the class (a test method's, after that test)
        Started own = context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        "own " + kind,
                        key -> start(
                                secured,
                                "own " + kind + " hub of " + testClass.getSimpleName() + " (" + wanted.own() + ")",
                                wanted.properties()),
                        Started.class);
        return own.hub();
    }

    private static Started start(boolean secured, String what, String[] properties) {
        log.info("Starting the {}", what);
        try {
            if (secured) {
                return new Started(new SecuredHub("renkei-test-secured", properties), null, properties);
            }
            Path dir = Files.createTempDirectory("renkei-test");
            return new Started(new HubInstance(dir, properties), dir, properties);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A started hub; closed with the store that holds it. */
    @SuppressWarnings("ArrayRecordComponent") // the properties it was started with: read when it closes, never compared
    private record Started(AutoCloseable hub, Path dir, String[] properties)
            implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() throws Exception {
            hub.close();
            if (dir != null) {
                HubInstance.deleteStore(dir);
            }
            // a level one hub set (a class that tests its log at DEBUG) must not outlive it in hubs that keep running
            Arrays.stream(properties)
                    .filter(p -> p.startsWith("logging.level."))
                    .forEach(p -> LoggingSystem.get(Hubs.class.getClassLoader())
                            .setLogLevel(p.substring("logging.level.".length(), p.indexOf('=')), null));
        }
    }
}
