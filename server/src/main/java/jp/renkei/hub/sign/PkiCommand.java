package jp.renkei.hub.sign;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Signature;

/**
 * {@code deploy/pki.sh} (= {@code java -jar renkei-server.jar pki …}): runs the deployment CA and signs
 * documents as a sender would. Passwords come from the environment, never from arguments (they would show
 * in the process list): {@code RENKEI_PKI_PASSWORD} for the CA and the keystores it writes, and
 * {@code RENKEI_SIGNER_PASSWORD} (default: the same) for the keystore that signs.
 */
public final class PkiCommand {

    /** The ASTM E1762 signature type system, as FHIR's Signature.type uses it. */
    public static final String SIGNATURE_TYPES = "urn:iso-astm:E1762-95:2013";
    public static final String AUTHOR_SIGNATURE = "1.2.840.10065.1.12.1.1";
    public static final String TARGET_FORMAT = "application/fhir+json;canonicalization=http://hl7.org/fhir/canonicalization/json";

    private static final String USAGE = """
            usage: deploy/pki.sh COMMAND [--dir DIR] [options]      (DIR: the CA's directory, default build/pki)
              init          [--name NAME] [--years N]              create the deployment CA
              organization  --id ID --name NAME [--days N]         issue an organisation's certificate (custody seal)
              practitioner  --id ID --name NAME --organization ORG (--qualification "Medical Doctor" | --profession physician) [--days N]
                                                                   issue a practitioner's signing certificate (hcRole)
              revoke        (--cert FILE.crt | --serial HEX)       revoke a certificate and publish a new CRL
              crl                                                  publish the CRL again (it is valid for 7 days)
              sign          --key FILE.p12 --in FILE.json [--out FILE.json]
                                                                   sign a document Bundle as its author (Bundle.signature)
            Environment: RENKEI_PKI_PASSWORD (CA and new keystores), RENKEI_SIGNER_PASSWORD (the signing keystore).
            Qualifications: %s
            """;

    private final PrintStream out;
    private final Function<String, String> environment;

    PkiCommand(PrintStream out, Function<String, String> environment) {
        this.out = out;
        this.environment = environment;
    }

    public static void main(String[] args) {
        try {
            System.exit(new PkiCommand(System.out, System::getenv).run(args));
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            System.err.println("pki: " + e.getMessage());
            System.exit(2);
        }
    }

    int run(String[] args) throws IOException {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            out.print(usage());
            return args.length == 0 ? 2 : 0;
        }
        Map<String, String> options = options(args);
        Path dir = Path.of(options.getOrDefault("dir", "build/pki"));
        switch (args[0]) {
            case "init" -> {
                DeploymentCa ca = DeploymentCa.create(dir, options.getOrDefault("name", "Renkei Deployment CA"),
                        Duration.ofDays(365L * Integer.parseInt(options.getOrDefault("years", "10"))), password("RENKEI_PKI_PASSWORD"));
                out.println("CA created in " + dir + ": " + ChainValidator.subject(ca.certificate()));
                out.println("Trust anchor for the hub: " + dir.resolve("ca.crt") + "; CRL: " + dir.resolve("ca.crl"));
            }
            case "organization" -> {
                DeploymentCa ca = DeploymentCa.open(dir, password("RENKEI_PKI_PASSWORD"));
                DeploymentCa.Issued issued = ca.issueOrganization(required(options, "id"), required(options, "name"),
                        Instant.now().minusSeconds(60), until(options), password("RENKEI_PKI_PASSWORD"));
                report(issued);
            }
            case "practitioner" -> {
                DeploymentCa ca = DeploymentCa.open(dir, password("RENKEI_PKI_PASSWORD"));
                DeploymentCa.Issued issued = ca.issuePractitioner(required(options, "id"), required(options, "name"),
                        required(options, "organization"), qualification(options), Instant.now().minusSeconds(60), until(options),
                        password("RENKEI_PKI_PASSWORD"));
                report(issued);
            }
            case "revoke" -> {
                DeploymentCa ca = DeploymentCa.open(dir, password("RENKEI_PKI_PASSWORD"));
                BigInteger serial = options.containsKey("cert") ? readCertificate(Path.of(options.get("cert"))).getSerialNumber()
                        : new BigInteger(required(options, "serial"), 16);
                ca.revoke(serial, Instant.now());
                out.println("Revoked " + serial.toString(16) + "; CRL published to " + dir.resolve("ca.crl"));
            }
            case "crl" -> {
                DeploymentCa.open(dir, password("RENKEI_PKI_PASSWORD")).publishCrl();
                out.println("CRL published to " + dir.resolve("ca.crl"));
            }
            case "sign" -> sign(options);
            default -> throw new IllegalArgumentException("Unknown command '" + args[0] + "'\n" + usage());
        }
        return 0;
    }

    /** Signs a document Bundle as its author: Bundle.signature with a detached JWS over its canonical JSON. */
    private void sign(Map<String, String> options) throws IOException {
        FhirContext fhir = FhirContext.forR4Cached();
        DeploymentCa.Signer signer = DeploymentCa.Keystores.signer(Path.of(required(options, "key")),
                environment.apply("RENKEI_SIGNER_PASSWORD") != null ? password("RENKEI_SIGNER_PASSWORD") : password("RENKEI_PKI_PASSWORD"));
        IBaseResource resource = fhir.newJsonParser().parseResource(Files.readString(Path.of(required(options, "in"))));
        if (!(resource instanceof Bundle bundle)) {
            throw new IllegalArgumentException("Only a document Bundle carries its own signature; sign other resources with a Provenance");
        }
        Instant now = Instant.now();
        bundle.setSignature(null);
        String jws = DetachedJws.sign(new CanonicalJson(fhir).of(bundle), signer.key(), signer.chain(), now);
        bundle.setSignature(signature(signer.chain().get(0), jws, now));
        String json = fhir.newJsonParser().setPrettyPrint(true).encodeResourceToString(bundle);
        if (options.containsKey("out")) {
            Files.writeString(Path.of(options.get("out")), json);
            out.println("Signed by " + ChainValidator.subject(signer.chain().get(0)) + " into " + options.get("out"));
        } else {
            out.println(json);
        }
    }

    /** An author's signature element: ASTM type, time, the signer's identity from the certificate, the JWS. */
    public static Signature signature(X509Certificate signer, String jws, Instant when) {
        Signature signature = new Signature();
        signature.addType(new Coding(SIGNATURE_TYPES, AUTHOR_SIGNATURE, "Author's Signature"));
        signature.setWhen(Date.from(when));
        String identity = SignatureVerifier.identity(signer);
        signature.setWho(identity != null ? new Reference(identity) : new Reference().setDisplay(ChainValidator.subject(signer)));
        signature.setTargetFormat(TARGET_FORMAT);
        signature.setSigFormat("application/jose");
        signature.setData(jws.getBytes(StandardCharsets.US_ASCII));
        return signature;
    }

    private void report(DeploymentCa.Issued issued) {
        out.println("Issued " + ChainValidator.subject(issued.certificate()) + " (serial " + issued.certificate().getSerialNumber().toString(16)
                + ", valid until " + issued.certificate().getNotAfter().toInstant() + ")");
        out.println("Keystore (PKCS#12): " + issued.keystore());
    }

    private static HealthcareRole.Qualification qualification(Map<String, String> options) {
        if (options.containsKey("profession")) {
            return HealthcareRole.Qualification.ofProfession(options.get("profession")).orElseThrow(() ->
                    new IllegalArgumentException("No signing qualification for profession '" + options.get("profession") + "'"));
        }
        String value = required(options, "qualification");
        return HealthcareRole.Qualification.ofValue(value).orElseThrow(() ->
                new IllegalArgumentException("Unknown qualification '" + value + "'; one of: " + qualifications()));
    }

    private static Instant until(Map<String, String> options) {
        return Instant.now().plus(Duration.ofDays(Long.parseLong(options.getOrDefault("days", "825"))));
    }

    private static X509Certificate readCertificate(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalArgumentException("Not a certificate: " + file);
        }
    }

    private char[] password(String variable) {
        String value = environment.apply(variable);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("Set " + variable + " (the keystore password) in the environment");
        }
        return value.toCharArray();
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("Expected --option value, got '" + args[i] + "'");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    private static String qualifications() {
        return String.join(", ", Arrays.stream(HealthcareRole.Qualification.values())
                .map(q -> "\"" + q.value() + "\" (" + q.japanese() + ")").toList());
    }

    private static String usage() {
        return String.format(USAGE, qualifications());
    }
}
