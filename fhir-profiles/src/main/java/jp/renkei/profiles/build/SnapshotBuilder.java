package jp.renkei.profiles.build;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import ca.uhn.fhir.parser.IParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.OperationDefinition;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.SearchParameter;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.ValueSet;

/**
 * Build step of this module: reads the conformance resources of {@code src/main/fhir} (profiles as
 * differentials, code systems, value sets, examples), generates each profile's snapshot against base
 * R4 and the other profiles, and writes everything to {@code renkei/profiles} on the classpath and as a
 * FHIR NPM package ({@link NpmPackageWriter}). A
 * profile whose snapshot cannot be generated, or a file that does not parse, fails the build.
 */
public final class SnapshotBuilder {

    private static final String WEB_URL = "http://renkei.example.jp/fhir";

    private SnapshotBuilder() {}

    public static void main(String[] args) throws IOException {
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Path npmPackage = Path.of(args[2]);
        String version = args[3];
        NpmPackageWriter npm = new NpmPackageWriter();
        FhirContext fhir = FhirContext.forR4();
        IParser parser = fhir.newJsonParser().setPrettyPrint(true);
        List<Resource> resources = new ArrayList<>();
        try (Stream<Path> files = Files.list(in)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                resources.add((Resource) parser.parseResource(Files.readString(file, StandardCharsets.UTF_8)));
            }
        }
        PrePopulatedValidationSupport ours = new PrePopulatedValidationSupport(fhir);
        for (Resource r : resources) {
            if (r instanceof StructureDefinition sd) {
                ours.addStructureDefinition(sd);
            } else if (r instanceof CodeSystem cs) {
                ours.addCodeSystem(cs);
            } else if (r instanceof ValueSet vs) {
                ours.addValueSet(vs);
            }
        }
        ValidationSupportChain chain = new ValidationSupportChain(
                new DefaultProfileValidationSupport(fhir),
                ours,
                new SnapshotGeneratingValidationSupport(fhir),
                new InMemoryTerminologyServerValidationSupport(fhir),
                new CommonCodeSystemsTerminologyService(fhir));
        Files.createDirectories(out);
        int profiles = 0;
        for (Resource r : resources) {
            Resource written = r;
            if (r instanceof StructureDefinition sd && sd.hasDifferential()) {
                sd.setSnapshot(null);
                IBaseResource snapshot = chain.generateSnapshot(
                        new ValidationSupportContext(chain), sd, sd.getUrl(), WEB_URL, sd.getName());
                if (!(snapshot instanceof StructureDefinition generated)
                        || !generated.hasSnapshot()
                        || generated.getSnapshot().getElement().size()
                                <= sd.getDifferential().getElement().size() - 1) {
                    throw new IllegalStateException("No snapshot could be generated for " + sd.getUrl());
                }
                written = generated;
                profiles++;
            }
            String name = r.fhirType() + "-" + r.getIdElement().getIdPart() + ".json";
            String text = parser.encodeResourceToString(written);
            Files.writeString(out.resolve(name), text, StandardCharsets.UTF_8);
            if (r instanceof StructureDefinition
                    || r instanceof CodeSystem
                    || r instanceof ValueSet
                    || r instanceof SearchParameter
                    || r instanceof OperationDefinition) {
                npm.addConformance(name, text);
            } else {
                npm.addExample(name, text);
            }
        }
        npm.write(npmPackage, version, WEB_URL);
        System.out.println("SnapshotBuilder: " + resources.size() + " conformance resources, " + profiles
                + " profile snapshots generated into " + out + "; FHIR package " + npmPackage);
    }
}
