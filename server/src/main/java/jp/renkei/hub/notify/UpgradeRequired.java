package jp.renkei.hub.notify;

import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * A request to the notification endpoint that is not a WebSocket opening handshake gets 426 Upgrade
 * Required, through {@code sendError} so that it is answered as an OperationOutcome like every other
 * error of the port (Spring's handshake handler would answer plain text or an empty body).
 */
final class UpgradeRequired implements HandshakeInterceptor {

    private static final String VERSION = "13";

    @Override
    public boolean beforeHandshake(
            ServerHttpRequest request,
            ServerHttpResponse response,
            WebSocketHandler handler,
            Map<String, Object> attributes)
            throws Exception {
        HttpHeaders headers = request.getHeaders();
        boolean handshake = HttpMethod.GET.equals(request.getMethod())
                && "websocket".equalsIgnoreCase(headers.getUpgrade())
                && headers.getConnection().stream().anyMatch("upgrade"::equalsIgnoreCase)
                && headers.getFirst(WebSocketHttpHeaders.SEC_WEBSOCKET_KEY) != null
                && VERSION.equals(headers.getFirst(WebSocketHttpHeaders.SEC_WEBSOCKET_VERSION));
        if (!handshake && response instanceof ServletServerHttpResponse servlet) {
            HttpServletResponse answer = servlet.getServletResponse();
            answer.setHeader(HttpHeaders.UPGRADE, "websocket");
            answer.setHeader(WebSocketHttpHeaders.SEC_WEBSOCKET_VERSION, VERSION);
            answer.sendError(426);
        }
        return handshake;
    }

    @Override
    public void afterHandshake(
            ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Exception exception) {}
}
