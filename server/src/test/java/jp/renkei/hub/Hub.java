package jp.renkei.hub;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that runs against a real hub, which it takes as a parameter of its {@code @BeforeAll} (or of a test):
 * a {@link HubInstance} is a hub without authentication, a {@link jp.renkei.hub.access.SecuredHub} one that trusts a
 * {@link jp.renkei.hub.access.TestIssuer}. Plain {@code @Hub}: the run's shared hub of that kind, started on first use
 * and stopped when the run ends ({@link Hubs}); the class writes records of its own (fresh ids) and asserts on those.
 * {@code @Hub(own = "why")}: a hub for this class alone, with {@link #properties}, stopped after the class; for a class
 * that cannot share one (it needs a store that holds only its own records, a setting no other class uses, ...).
 * Docs: docs/architecture.md, Tests.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(Hubs.class)
public @interface Hub {

    /** Why the class needs a hub of its own; empty: it shares the run's hub. */
    String own() default "";

    /** The own hub's settings ({@code name=value}) beyond those of every test hub ({@link HubInstance}). */
    String[] properties() default {};
}
