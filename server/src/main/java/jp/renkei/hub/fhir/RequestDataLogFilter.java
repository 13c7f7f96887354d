package jp.renkei.hub.fhir;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Drops every line below WARN from Tomcat's request parsing, whatever level its loggers are set to.
 * Those lines quote what the client sent: a refused request line with its whole target
 * ("Invalid character found in the request target [/fhir/Patient?name=…]"), a header line, a query
 * parameter that failed to decode, and at DEBUG the raw bytes of every request. Their WARN and ERROR
 * lines are about the server (ports, threads, response headers it wrote) and pass. A filter rather
 * than a logger level: a level can be raised by one environment variable for debugging, and Tomcat
 * logs the first refusal of each parser at INFO, the level every deployment keeps.
 */
final class RequestDataLogFilter extends TurboFilter {

    /** Tomcat's HTTP parsing (coyote), query and cookie parsing (util.http), request adapter (catalina.connector). */
    static final List<String> REQUEST_PARSING =
            List.of("org.apache.coyote", "org.apache.tomcat.util.http", "org.apache.catalina.connector");

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level == null || level.isGreaterOrEqual(Level.WARN)) {
            return FilterReply.NEUTRAL;
        }
        String name = logger.getName();
        for (String parsing : REQUEST_PARSING) {
            if (name.startsWith(parsing)
                    && (name.length() == parsing.length() || name.charAt(parsing.length()) == '.')) {
                return FilterReply.DENY;
            }
        }
        return FilterReply.NEUTRAL;
    }

    /**
     * Adds the filter to Logback unless it is there. Called when the web server is built, after Spring
     * Boot has (re)configured logging, which drops turbo filters; no request is read before that.
     */
    static void install() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            throw new IllegalStateException("Logback is required: the filter that keeps request data out of the log "
                    + "(RequestDataLogFilter) cannot be installed into "
                    + LoggerFactory.getILoggerFactory().getClass().getName());
        }
        synchronized (RequestDataLogFilter.class) {
            if (context.getTurboFilterList().stream().noneMatch(RequestDataLogFilter.class::isInstance)) {
                RequestDataLogFilter filter = new RequestDataLogFilter();
                filter.setName("renkei-request-data");
                filter.setContext(context);
                filter.start();
                context.addTurboFilter(filter);
            }
        }
    }
}
