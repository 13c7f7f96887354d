package jp.renkei.hub.sign;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Signature;

/**
 * {@code deploy/pki.sh} (= {@code java -jar renkei-server.jar pki …}): runs the deployment CA and signs
 * documents as a sender would. Passwords come from the environment, never from arguments (they would show
 * in the process list): {@code RENKEI_PKI_PASSWORD} for the CA and the keystores it writes, and
 * {@code RENKEI_SIGNER_PASSWORD} (default: the same) for the keystore that signs.
 */
public final class PkiCommand {

    @SuppressWarnings("InlineFormatString") // the usage text reads best at the top of the class
    private static final String USAGE = """
            usage: deploy/pki.sh COMMAND [--dir DIR] [options]      (DIR: the CA's directory, default build/pki)
              init          [--name NAME] [--years N]              create the deployment CA
              organization  --id ID --name NAME [--days N]         issue an organisation's certificate (custody seal)
              audit-seal    [--name NAME] [--days N]                issue the hub's audit seal (seals audit chain checkpoints;
                                                                   a former one's certificate stays as audit-seal-<serial>.crt)
              practitioner  --id ID --name NAME --organization ORG (--qualification "Medical Doctor" | --profession physician) [--days N]
                                                                   issue a practitioner's signing certificate (hcRole)
              revoke        (--cert FILE.crt | --serial HEX)       revoke a certificate and publish a new CRL
              crl                                                  publish the CRL again (it is valid for 7 days)
              sign          --key FILE.p12 --in FILE.json [--out FILE.json]
                                                                   sign a document Bundle as its author (Bundle.signature), or
                                                                   another resource (an advance directive as its witness) into
                                                                   a transaction with a Provenance carrying the signature
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
                DeploymentCa ca = DeploymentCa.create(
                        dir,
                        options.getOrDefault("name", "Renkei Deployment CA"),
                        Duration.ofDays(365L * Integer.parseInt(options.getOrDefault("years", "10"))),
                        password("RENKEI_PKI_PASSWORD"));
                out.println("CA created in " + dir + ": " + ChainValidator.subject(ca.certificate()));
                out.println("Trust anchor for the hub: " + dir.resolve("ca.crt") + "; CRL: " + dir.resolve("ca.crl"));
            }
            case "organization" -> {
                DeploymentCa ca = DeploymentCa.open(dir, password("RENKEI_PKI_PASSWORD"));
                DeploymentCa.Issued issued = ca.issueOrganization(
                        required(options, "id"),
                        required(options, "name"),
                        Instant.now().minusSeconds(60),
                        until(options),
                        password("RENKEI_PKI_PASSWORD"));
                report(issued);
            }
            case "audit-seal" -> {
                DeploymentCa ca = DeploymentCa.open(dir, password("RENKEI_PKI_PASSWORD"));
                report(ca.issueAuditSeal(
                        options.getOrDefault("name", "Renkei hub audit seal"),
                        Instant.now().minusSeconds(60),
                        until(options),
                        password("RENKEI_PKI_PASSWORD")));
            }
            case "practitioner" -> {
                DeploymentCa ca = DeploymentCa.open(dir, password("RENKEI_PKI_PASSWORD"));
                DeploymentCa.Issued issued = ca.issuePractitioner(
                        required(options, "id"),
                        required(options, "name"),
                        required(options, "organization"),
                        qualification(options),
                        Instant.now().minusSeconds(60),
                        until(options),
                        password("RENKEI_PKI_PASSWORD"));
                report(issued);
            }
            case "revoke" -> {
                DeploymentCa ca = DeploymentCa.open(dir, password("RENKEI_PKI_PASSWORD"));
                BigInteger serial = options.containsKey("cert")
                        ? TrustMaterial.certificates(Path.of(options.get("cert")))
                                .get(0)
                                .getSerialNumber()
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

    /**
     * Signs a document Bundle as its author (Bundle.signature), or any other resource with a Provenance: the output is
     * then a transaction that creates the resource and the Provenance carrying the signature, for the hub to verify
     * and keep together. An advance directive is signed as its witness, anything else as its author.
     */
    private void sign(Map<String, String> options) throws IOException {
        FhirContext fhir = FhirContext.forR4Cached();
        DeploymentCa.Signer signer = DeploymentCa.Keystores.signer(
                Path.of(required(options, "key")),
                environment.apply("RENKEI_SIGNER_PASSWORD") != null
                        ? password("RENKEI_SIGNER_PASSWORD")
                        : password("RENKEI_PKI_PASSWORD"));
        IBaseResource parsed = fhir.newJsonParser().parseResource(Files.readString(Path.of(required(options, "in"))));
        CanonicalJson canonical = new CanonicalJson(fhir);
        Instant now = Instant.now();
        Bundle bundle;
        if (parsed instanceof Bundle document && document.getType() == Bundle.BundleType.DOCUMENT) {
            bundle = document;
            bundle.setSignature(null);
            bundle.setSignature(SignatureElements.sign(canonical, bundle, signer, SignatureElements.AUTHOR, now));
        } else if (parsed instanceof DomainResource resource) {
            String type = SignedKind.of(resource).map(SignedKind::signatureType).orElse(SignatureElements.AUTHOR);
            bundle = withProvenance(resource, SignatureElements.sign(canonical, resource, signer, type, now), now);
        } else {
            throw new IllegalArgumentException(
                    "Sign a document Bundle or a single resource, not a " + parsed.fhirType());
        }
        String json = fhir.newJsonParser().setPrettyPrint(true).encodeResourceToString(bundle);
        if (options.containsKey("out")) {
            Files.writeString(Path.of(options.get("out")), json);
            out.println("Signed by " + ChainValidator.subject(signer.chain().get(0)) + " into " + options.get("out"));
        } else {
            out.println(json);
        }
    }

    /** A transaction creating the resource and a Provenance that carries its signature. */
    static Bundle withProvenance(DomainResource resource, Signature signature, Instant when) {
        String fullUrl = "urn:uuid:" + java.util.UUID.randomUUID();
        resource.setId((String) null);
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        transaction
                .addEntry()
                .setFullUrl(fullUrl)
                .setResource(resource)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl(resource.fhirType());
        Provenance provenance = new Provenance();
        provenance.addTarget(new Reference(fullUrl));
        provenance.setRecorded(Date.from(when));
        provenance
                .addAgent()
                .setType(SignedKind.agentType(signature))
                .setWho(signature.getWho().copy());
        provenance.addSignature(signature);
        // the patient the record is about, so the hub files the Provenance with the patient's record
        Reference patient = resource instanceof org.hl7.fhir.r4.model.Consent c
                ? c.getPatient()
                : resource instanceof org.hl7.fhir.r4.model.Communication c ? c.getSubject() : null;
        if (patient != null && patient.hasReference()) {
            provenance.addExtension(DocumentSignatures.PROVENANCE_PATIENT, patient.copy());
        }
        transaction
                .addEntry()
                .setFullUrl("urn:uuid:" + java.util.UUID.randomUUID())
                .setResource(provenance)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Provenance");
        return transaction;
    }

    private void report(DeploymentCa.Issued issued) {
        out.println("Issued " + ChainValidator.subject(issued.certificate()) + " (serial "
                + issued.certificate().getSerialNumber().toString(16) + ", valid until "
                + issued.certificate().getNotAfter().toInstant() + ")");
        out.println("Keystore (PKCS#12): " + issued.keystore());
    }

    private static HealthcareRole.Qualification qualification(Map<String, String> options) {
        if (options.containsKey("profession")) {
            return HealthcareRole.Qualification.ofProfession(options.get("profession"))
                    .orElseThrow(() -> new IllegalArgumentException(
                            "No signing qualification for profession '" + options.get("profession") + "'"));
        }
        String value = required(options, "qualification");
        return HealthcareRole.Qualification.ofValue(value)
                .orElseThrow(() -> new IllegalArgumentException(
                        "Unknown qualification '" + value + "'; one of: " + qualifications()));
    }

    private static Instant until(Map<String, String> options) {
        return Instant.now().plus(Duration.ofDays(Long.parseLong(options.getOrDefault("days", "825"))));
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
        return String.join(
                ", ",
                Arrays.stream(HealthcareRole.Qualification.values())
                        .map(q -> "\"" + q.value() + "\" (" + q.japanese() + ")")
                        .toList());
    }

    private static String usage() {
        return String.format(USAGE, qualifications());
    }
}
