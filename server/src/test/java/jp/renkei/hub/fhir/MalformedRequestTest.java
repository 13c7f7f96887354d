package jp.renkei.hub.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.access.SecuredHub;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Requests that Tomcat itself refuses, or that reach no FHIR endpoint, are answered with an
 * OperationOutcome and leave nothing of the request target in the log; the characters FHIR clients
 * send unencoded in a search ({@code system|value}) are accepted. Sent over a plain socket: Java's
 * HTTP client refuses such URLs itself.
 */
// Tomcat's request parsing at DEBUG: its lines must stay out of the log whatever the level.
@Hub(
        own = "Tomcat's request parsing logs at DEBUG in its hub",
        properties = {
            "logging.level.org.apache.coyote.http11=debug",
            "logging.level.org.apache.tomcat.util.http=debug",
            "logging.level.org.apache.catalina.connector=debug"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class MalformedRequestTest {

    private static final String SYSTEM = "urn:oid:1.2.392.100495.20.3.51.1";
    // Planted in the refused requests; none of them may reach the log. ASCII ones too: Tomcat prints
    // the bytes of a refused request target as 0xNN, so a kanji name would not be found as written.
    private static final String NAME = "山田";
    private static final String NAME_ASCII = "Iwatehanako";
    private static final String BIRTH_DATE = "1929-02-20";
    private static final String IDENTIFIER = "00010003";

    private String token;
    private int port;

    @BeforeAll
    void start(SecuredHub world) throws Exception {
        Patient patient = new Patient();
        patient.addIdentifier().setSystem(SYSTEM).setValue(IDENTIFIER);
        patient.addName(new HumanName().setFamily(NAME).addGiven("花子"));
        patient.setGender(AdministrativeGender.FEMALE);
        world.seed("Patient", "p-pipe", patient, "Organization/org-homecare", "user/cm");
        token = world.issuer
                .token()
                .roles("care-manager")
                .subject("cm")
                .claim("practitioner_role", "role-cm")
                .claim("organization", "org-homecare")
                .sign();
        port = URI.create(world.hub.baseUrl()).getPort();
    }

    @Test
    void anUnencodedPipeInASearchIsAccepted() throws IOException {
        Answer answer =
                send("GET /fhir/Patient?identifier=" + SYSTEM + "|" + IDENTIFIER, "Authorization", "Bearer " + token);
        assertThat(answer.status).as(answer.body).isEqualTo(200);
        Bundle bundle = (Bundle) parse(answer);
        assertThat(bundle.getEntry())
                .extracting(e -> e.getResource().getIdElement().getIdPart())
                .containsExactly("p-pipe");

        // the other characters FHIR searches carry unencoded reach the search (which finds nothing here)
        Answer others = send("GET /fhir/Patient?name=[{\"<a^b`c>\"}]\\,|&_count=5", "Authorization", "Bearer " + token);
        assertThat(others.status).as(others.body).isEqualTo(200);
        assertThat(((Bundle) parse(others)).getEntry()).isEmpty();
    }

    @Test
    void rawUtf8InTheQueryIsRefusedWithAnOutcomeAndNotLogged(CapturedOutput output) throws IOException {
        int before = output.length();
        Answer answer = send(
                "GET /fhir/Patient?name=" + NAME + "&family=" + NAME_ASCII + "&birthdate=" + BIRTH_DATE + "&identifier="
                        + SYSTEM + "|" + IDENTIFIER,
                "Authorization",
                "Bearer " + token);
        assertOutcome(answer, 400, IssueType.INVALID, "percent-encode");
        assertNotLogged(output.toString().substring(before));
    }

    @Test
    void aTooLongUrlIs414WithAnOutcomeAndNotLogged(CapturedOutput output) throws IOException {
        int before = output.length();
        StringBuilder target = new StringBuilder("GET /fhir/Patient?family=" + NAME_ASCII + "&birthdate=" + BIRTH_DATE
                + "&identifier=" + SYSTEM + "|" + IDENTIFIER + "&_id=");
        while (target.length() < 60 * 1024) {
            target.append("p-").append(target.length()).append(',');
        }
        Answer answer = send(target.toString(), "Authorization", "Bearer " + token);
        assertOutcome(answer, 414, IssueType.TOOLONG, "POST");
        assertNotLogged(output.toString().substring(before));
    }

    @Test
    void tooLargeHeadersAre431WithAnOutcomeAndNotLogged(CapturedOutput output) throws IOException {
        int before = output.length();
        Answer answer = send(
                "GET /fhir/Patient?family=" + NAME_ASCII + "&birthdate=" + BIRTH_DATE,
                "Authorization",
                "Bearer " + token,
                "X-Note",
                (NAME_ASCII + " " + IDENTIFIER + " ").repeat(2000));
        assertOutcome(answer, 431, IssueType.TOOLONG, "header");
        assertNotLogged(output.toString().substring(before));
    }

    @Test
    void aMalformedRequestLineIsRefusedWithAnOutcome(CapturedOutput output) throws IOException {
        int before = output.length();
        // a raw control character in the query: not even the relaxed characters allow it
        Answer answer = send("GET /fhir/Patient?family=" + NAME_ASCII + "\u0001&birthdate=" + BIRTH_DATE);
        assertOutcome(answer, 400, IssueType.INVALID, "percent-encode");
        // an unencoded pipe in the path (only the query is relaxed)
        Answer inPath = send("GET /fhir/Patient/" + NAME_ASCII + "|" + IDENTIFIER);
        assertOutcome(inPath, 400, IssueType.INVALID, "percent-encode");
        assertNotLogged(output.toString().substring(before));
    }

    @Test
    void theOutcomeIsXmlWhenTheClientAsksForXml() throws IOException {
        Answer answer = send(
                "GET /fhir/Patient?family=" + NAME_ASCII + "&birthdate=" + BIRTH_DATE,
                "Accept",
                "application/fhir+xml",
                "X-Note",
                "x".repeat(20_000));
        assertThat(answer.status).isEqualTo(431);
        assertThat(answer.headers.get("content-type")).startsWith("application/fhir+xml");
        OperationOutcome outcome =
                (OperationOutcome) HubInstance.fhirContext().newXmlParser().parseResource(answer.body);
        assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(IssueType.TOOLONG);

        Answer byFormat = send("GET /actuator/health/" + NAME_ASCII + "?_format=xml");
        assertThat(byFormat.status).isEqualTo(404);
        assertThat(byFormat.headers.get("content-type")).startsWith("application/fhir+xml");
        assertThat(((OperationOutcome) HubInstance.fhirContext().newXmlParser().parseResource(byFormat.body))
                        .getIssueFirstRep()
                        .getCode())
                .isEqualTo(IssueType.NOTFOUND);
    }

    @Test
    void errorsOutsideTheFhirEndpointAreOutcomes() throws IOException {
        // unknown paths and wrong methods, signed in or not
        assertOutcome(send("GET /nope?family=" + NAME_ASCII), 403, IssueType.FORBIDDEN, "");
        assertOutcome(
                send("GET /nope?family=" + NAME_ASCII, "Authorization", "Bearer " + token),
                403,
                IssueType.FORBIDDEN,
                "");
        assertOutcome(send("POST /actuator/health", "Authorization", "Bearer " + token), 403, IssueType.FORBIDDEN, "");
        // reaching Spring's own error handling: a health check that asks for a format it cannot have
        Answer notAcceptable = send("GET /actuator/health", "Accept", "application/pdf");
        assertOutcome(notAcceptable, 406, IssueType.NOTSUPPORTED, "");
        // paths the security filters let through that nothing serves: Spring's former /error page, an unknown health
        // group
        assertOutcome(send("GET /error?family=" + NAME_ASCII), 404, IssueType.NOTFOUND, "/fhir");
        assertOutcome(send("GET /actuator/health/" + NAME_ASCII), 404, IssueType.NOTFOUND, "/fhir");
        // a plain GET of the notification socket, which needs a WebSocket upgrade
        Answer notUpgraded = send("GET /notifications?family=" + NAME_ASCII);
        assertOutcome(notUpgraded, 426, IssueType.NOTSUPPORTED, "WebSocket");
        assertThat(notUpgraded.headers.get("upgrade")).isEqualTo("websocket");
    }

    private static void assertOutcome(Answer answer, int status, IssueType code, String diagnosticsMention) {
        assertThat(answer.status).as(answer.raw()).isEqualTo(status);
        assertThat(answer.headers.get("content-type")).as(answer.raw()).startsWith("application/fhir+json");
        OperationOutcome outcome = (OperationOutcome) parse(answer);
        assertThat(outcome.getIssueFirstRep().getCode()).as(answer.body).isEqualTo(code);
        String diagnostics = outcome.getIssueFirstRep().getDiagnostics();
        assertThat(diagnostics).contains(diagnosticsMention).matches("(?s).*\\p{IsHan}.*\\(.*\\).*");
        assertThat(diagnostics).doesNotContain(NAME, NAME_ASCII, BIRTH_DATE, IDENTIFIER, "/fhir/Patient");
    }

    private static void assertNotLogged(String logged) {
        assertThat(logged)
                .doesNotContain(
                        NAME,
                        NAME_ASCII,
                        BIRTH_DATE,
                        IDENTIFIER,
                        new String(NAME.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
        assertThat(logged).doesNotContainIgnoringCase("0xe50xb10xb1");
    }

    private static Resource parse(Answer answer) {
        return (Resource) HubInstance.fhirContext().newJsonParser().parseResource(answer.body);
    }

    /** Sends one request with the target's bytes as written (UTF-8) and reads the whole answer. */
    private Answer send(String requestLine, String... headers) throws IOException {
        StringBuilder request = new StringBuilder(requestLine)
                .append(" HTTP/1.1\r\nHost: 127.0.0.1:")
                .append(port)
                .append("\r\nConnection: close\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        request.append("\r\n");
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return Answer.read(socket.getInputStream());
        }
    }

    private record Answer(int status, Map<String, String> headers, String body) {

        static Answer read(InputStream in) throws IOException {
            byte[] all = in.readAllBytes();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String[] lines = text.substring(0, end).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            byte[] body = java.util.Arrays.copyOfRange(all, end + 4, all.length);
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = unchunk(body);
            }
            return new Answer(
                    Integer.parseInt(lines[0].split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
        }

        private static byte[] unchunk(byte[] chunked) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int pos = 0;
            while (true) {
                int lineEnd = indexOfCrLf(chunked, pos);
                int size = Integer.parseInt(
                        new String(chunked, pos, lineEnd - pos, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
                if (size == 0) {
                    return out.toByteArray();
                }
                out.write(chunked, lineEnd + 2, size);
                pos = lineEnd + 2 + size + 2;
            }
        }

        private static int indexOfCrLf(byte[] bytes, int from) {
            for (int i = from; i < bytes.length - 1; i++) {
                if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                    return i;
                }
            }
            throw new IllegalStateException("no chunk size line");
        }

        String raw() {
            List<String> lines = new ArrayList<>();
            headers.forEach((k, v) -> lines.add(k + ": " + v));
            return status + " " + lines + "\n" + body;
        }
    }
}
