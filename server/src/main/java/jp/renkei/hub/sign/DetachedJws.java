package jp.renkei.hub.sign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * A JSON Web Signature (RFC 7515) with a detached payload (its Appendix F): {@code header..signature}, the
 * payload being the canonical JSON of the signed resource, which travels as the resource itself. The protected
 * header carries the algorithm ({@code RS256} or {@code ES256}), the signer's certificate chain ({@code x5c},
 * signer first) and the claimed signing time ({@code sigT}, as in ETSI JAdES), so that everything a verifier
 * needs besides its trust anchors is in the signature.
 */
final class DetachedJws {

    static final BouncyCastleProvider PROVIDER = new BouncyCastleProvider();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64URL_DECODER = Base64.getUrlDecoder();

    /** A parsed signature: what its header claims, not yet verified. */
    @SuppressWarnings("ArrayRecordComponent") // never compared or hashed: the verifier reads the bytes once
    public record Parsed(
            String algorithm,
            List<X509Certificate> chain,
            Instant signingTime,
            String protectedHeader,
            byte[] signature) {

        public X509Certificate signer() {
            return chain.get(0);
        }
    }

    private DetachedJws() {}

    /** Signs the payload; returns the compact serialization with the payload left out. */
    public static String sign(byte[] payload, PrivateKey key, List<X509Certificate> chain, Instant signingTime) {
        String algorithm = algorithmFor(key);
        ObjectNode header = JSON.createObjectNode();
        header.put("alg", algorithm);
        ArrayNode x5c = header.putArray("x5c");
        try {
            for (X509Certificate certificate : chain) {
                x5c.add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
            }
            header.put("sigT", signingTime.toString());
            String protectedHeader = B64URL.encodeToString(JSON.writeValueAsBytes(header));
            Signature signer = Signature.getInstance(jcaName(algorithm), PROVIDER);
            signer.initSign(key);
            signer.update(signingInput(protectedHeader, payload));
            return protectedHeader + ".." + B64URL.encodeToString(signer.sign());
        } catch (GeneralSecurityException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("Could not sign: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a detached compact JWS; throws {@link SignatureFailure} with a precise reason when it is not one
     * (wrong shape, attached payload, unknown algorithm, missing or unreadable certificates or signing time).
     */
    public static Parsed parse(String jws) {
        String[] parts = jws.trim().split("\\.", -1);
        if (parts.length != 3) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.MALFORMED,
                    "A JWS has three parts separated by '.'; this has " + parts.length);
        }
        if (!parts[1].isEmpty()) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.MALFORMED,
                    "The JWS must be detached (empty payload part): the signed content is the resource itself");
        }
        JsonNode header;
        byte[] signature;
        try {
            header = JSON.readTree(B64URL_DECODER.decode(parts[0]));
            signature = B64URL_DECODER.decode(parts[2]);
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.MALFORMED, "The JWS header or signature is not valid base64url JSON");
        }
        String algorithm = header.path("alg").asText("");
        if (!algorithm.equals("RS256") && !algorithm.equals("ES256")) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.MALFORMED,
                    "Unsupported JWS algorithm '" + algorithm + "'; RS256 and ES256 are accepted");
        }
        if (header.has("crit")) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.MALFORMED,
                    "The JWS names critical header parameters this hub does not process");
        }
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (JsonNode certificate : header.path("x5c")) {
                chain.add((X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(Base64.getDecoder().decode(certificate.asText()))));
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.MALFORMED, "A certificate in the JWS header (x5c) cannot be read");
        }
        if (chain.isEmpty()) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.MALFORMED, "The JWS header carries no signer certificate (x5c)");
        }
        Instant signingTime;
        try {
            signingTime = Instant.parse(header.path("sigT").asText(""));
        } catch (DateTimeParseException e) {
            throw new SignatureFailure(
                    SignatureFailure.Reason.MALFORMED, "The JWS header carries no signing time (sigT, an instant)");
        }
        return new Parsed(algorithm, List.copyOf(chain), signingTime, parts[0], signature);
    }

    /** Whether the signature is the signer certificate's key's signature over this payload. */
    public static boolean verifies(Parsed parsed, byte[] payload) {
        PublicKey key = parsed.signer().getPublicKey();
        try {
            if (!parsed.algorithm().equals(algorithmFor(key))) {
                return false;
            }
            Signature verifier = Signature.getInstance(jcaName(parsed.algorithm()), PROVIDER);
            verifier.initVerify(key);
            verifier.update(signingInput(parsed.protectedHeader(), payload));
            return verifier.verify(parsed.signature());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] signingInput(String protectedHeader, byte[] payload) {
        return (protectedHeader + "." + B64URL.encodeToString(payload)).getBytes(StandardCharsets.US_ASCII);
    }

    private static String algorithmFor(java.security.Key key) {
        if (key instanceof RSAKey) {
            return "RS256";
        }
        if (key instanceof ECKey) {
            return "ES256";
        }
        throw new IllegalArgumentException("Only RSA and EC (P-256) keys sign here, not " + key.getAlgorithm());
    }

    /** ES256 signatures are R || S (RFC 7518 §3.4), not DER: Bouncy Castle's PLAIN-ECDSA. */
    private static String jcaName(String algorithm) {
        return algorithm.equals("RS256") ? "SHA256withRSA" : "SHA256withPLAIN-ECDSA";
    }
}
