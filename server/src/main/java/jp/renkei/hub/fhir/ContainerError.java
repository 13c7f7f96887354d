package jp.renkei.hub.fhir;

import org.apache.catalina.connector.Request;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.tomcat.util.buf.ByteChunk;
import org.apache.tomcat.util.buf.MessageBytes;
import org.apache.tomcat.util.http.parser.HttpParser;
import org.apache.tomcat.util.res.StringManager;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * What an error that no FHIR endpoint answered is, told from what Tomcat left on the request: the
 * status it set, and for a request it could not parse, the exception whose message would name the
 * request target (so it is only compared, never shown). Diagnostics name nothing the client sent.
 */
record ContainerError(int status, IssueType code, String diagnostics) {

    // Tomcat words its parse errors in the JVM's language; its own messages are the patterns to compare with.
    private static final StringManager HTTP11 = StringManager.getManager("org.apache.coyote.http11");
    private static final String ARGUMENT = "\u0000";

    static final String PERCENT_ENCODE = "URLに使用できない文字が含まれています (the request target has a character that must be "
            + "percent-encoded: send non-ASCII text such as Japanese as UTF-8 %XX, e.g. 東京 as %E6%9D%B1%E4%BA%AC, "
            + "and control characters, spaces and # likewise)";

    static ContainerError of(Request request, int status, Throwable failure) {
        if (failure != null && isParseFailure(failure)) {
            return ofParseFailure(request, failure.getMessage());
        }
        if (status == 400 && hasCharacterOutsidePath(request.getCoyoteRequest().requestURI())) {
            return new ContainerError(400, IssueType.INVALID, PERCENT_ENCODE);
        }
        return ofStatus(status);
    }

    /** Tomcat's request line and header parser reports what it refused as an IllegalArgumentException. */
    private static boolean isParseFailure(Throwable failure) {
        return failure instanceof IllegalArgumentException
                && failure.getMessage() != null
                && failure.getStackTrace().length > 0
                && failure.getStackTrace()[0].getClassName().startsWith("org.apache.coyote.http11.");
    }

    private static ContainerError ofParseFailure(Request request, String message) {
        int limit = request.getConnector().getProtocolHandler() instanceof AbstractHttp11Protocol<?> http11
                ? http11.getMaxHttpRequestHeaderSize()
                : -1;
        if (message.equals(HTTP11.getString("iib.requestheadertoolarge.error"))) {
            // The target is still being read when the buffer fills up: the URL is what is too long.
            return request.getCoyoteRequest().requestURI().isNull()
                    ? new ContainerError(
                            414,
                            IssueType.TOOLONG,
                            "URLが長すぎます (the request URL is longer than the limit of "
                                    + limit
                                    + " bytes for the request line and headers, server.max-http-request-header-size; send a long "
                                    + "search as POST [type]/_search with the parameters in an application/x-www-form-urlencoded body)")
                    : new ContainerError(
                            431,
                            IssueType.TOOLONG,
                            "リクエストヘッダーが大きすぎます (the request line and headers " + "are larger than the limit of " + limit
                                    + " bytes, server.max-http-request-header-size)");
        }
        if (matches(message, "iib.invalidRequestTarget")) {
            return new ContainerError(400, IssueType.INVALID, PERCENT_ENCODE);
        }
        if (matches(message, "iib.invalidmethod")) {
            return new ContainerError(
                    400, IssueType.INVALID, "HTTPメソッドが不正です (the request method is not a valid HTTP method name)");
        }
        if (matches(message, "iib.invalidHttpProtocol")) {
            return new ContainerError(
                    400, IssueType.INVALID, "HTTPバージョンが不正です (the request line does not end with a valid HTTP version)");
        }
        if (matches(message, "iib.invalidheader.reject")) {
            return new ContainerError(
                    400,
                    IssueType.INVALID,
                    "リクエストヘッダーの形式が正しくありません (a request header line is malformed, RFC 9110/9112)");
        }
        return new ContainerError(
                400, IssueType.INVALID, "HTTPリクエストを解析できません (the request could not be parsed as HTTP/1.1)");
    }

    /** Whether {@code message} is Tomcat's message {@code key}, whatever it quotes of the request. */
    private static boolean matches(String message, String key) {
        String[] around = HTTP11.getString(key, ARGUMENT).split(ARGUMENT, -1);
        return around.length == 2 && message.startsWith(around[0]) && message.endsWith(around[1]);
    }

    /** A 400 that Tomcat set without an exception after checking the path (only the query is relaxed). */
    private static boolean hasCharacterOutsidePath(MessageBytes uri) {
        if (uri.isNull() || uri.getType() != MessageBytes.T_BYTES) {
            return false;
        }
        ByteChunk bytes = uri.getByteChunk();
        for (int i = bytes.getStart(); i < bytes.getEnd(); i++) {
            if (!HttpParser.isAbsolutePath(bytes.getBuffer()[i])) {
                return true;
            }
        }
        return false;
    }

    static ContainerError ofStatus(int status) {
        return switch (status) {
            case 400 ->
                new ContainerError(
                        status,
                        IssueType.INVALID,
                        "HTTPリクエストの形式が正しくありません (malformed request: "
                                + "check the Host header, Content-Length and Transfer-Encoding, and that the URL is percent-encoded)");
            case 401 ->
                new ContainerError(status, IssueType.LOGIN, "アクセストークンが必要です (a bearer access token is required)");
            case 403 -> new ContainerError(status, IssueType.FORBIDDEN, "この操作は許可されていません (not allowed)");
            case 404 ->
                new ContainerError(
                        status,
                        IssueType.NOTFOUND,
                        "このURLには何もありません (nothing is served at this path; the FHIR API is under /fhir)");
            case 405 ->
                new ContainerError(
                        status,
                        IssueType.NOTSUPPORTED,
                        "このURLではこのHTTPメソッドは使えません (this method is not allowed at this path)");
            case 406 ->
                new ContainerError(
                        status,
                        IssueType.NOTSUPPORTED,
                        "Acceptヘッダーの形式では応答できません (none of the media types in Accept can be produced here)");
            case 408 ->
                new ContainerError(
                        status, IssueType.TIMEOUT, "リクエストの受信が時間内に終わりませんでした (the request was not received in time)");
            case 413 -> new ContainerError(status, IssueType.TOOLONG, "リクエストが大きすぎます (the request is too large)");
            case 414 -> new ContainerError(status, IssueType.TOOLONG, "URLが長すぎます (the request URL is too long)");
            case 415 ->
                new ContainerError(
                        status,
                        IssueType.NOTSUPPORTED,
                        "このContent-Typeは受け付けられません (this Content-Type is not accepted here)");
            case 426 ->
                new ContainerError(
                        status,
                        IssueType.NOTSUPPORTED,
                        "WebSocket専用のURLです (this endpoint accepts "
                                + "only a WebSocket opening handshake: GET with Upgrade: websocket, Connection: Upgrade, "
                                + "Sec-WebSocket-Version: 13 and a Sec-WebSocket-Key)");
            case 431 ->
                new ContainerError(status, IssueType.TOOLONG, "リクエストヘッダーが大きすぎます (the request headers are too large)");
            case 501 ->
                new ContainerError(
                        status, IssueType.NOTSUPPORTED, "このHTTPメソッドには対応していません (this method is not implemented)");
            case 503 ->
                new ContainerError(
                        status, IssueType.TRANSIENT, "一時的に利用できません (temporarily unavailable; try again later)");
            default ->
                status >= 500
                        ? new ContainerError(status, IssueType.EXCEPTION, "内部エラーが発生しました (internal error)")
                        : new ContainerError(
                                status,
                                IssueType.PROCESSING,
                                "リクエストを処理できません (the request cannot be processed: HTTP " + status + ")");
        };
    }
}
