package jp.renkei.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.HubTestBase;
import org.bson.Document;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md §3 lists every collection of the hub's database with its indexes. This test fails when the code
 * names a collection §3 does not list (or §3 one the code no longer names), and when a running hub, after writes,
 * searches and pages, holds a collection or an index §3 does not list.
 */
class StorageModelTest extends HubTestBase {

    private static final Path DOC = Path.of("..", "docs", "architecture.md");
    private static final Path SOURCES = Path.of("src", "main", "java");
    private static final Pattern GET_COLLECTION = Pattern.compile("getCollection\\(([^)]*)\\)");
    private static final Pattern NAME = Pattern.compile("`([^`]+)`");
    /** The two collections of each resource type, named by their type at run time (ResourceStore). */
    private static final Map<String, String> PER_TYPE =
            Map.of("type", "<Type>", "type + \"_history\"", "<Type>_history");

    @Test
    void everyCollectionTheCodeNamesIsDocumentedAndNoOther() throws IOException {
        Set<String> named = new TreeSet<>();
        List<String> unknown = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher call = GET_COLLECTION.matcher(Files.readString(file, StandardCharsets.UTF_8));
                while (call.find()) {
                    String argument = call.group(1).strip();
                    if (argument.matches("\"[^\"]+\"")) {
                        named.add(argument.substring(1, argument.length() - 1));
                    } else if (PER_TYPE.containsKey(argument)
                            && file.endsWith(Path.of("store", "ResourceStore.java"))) {
                        named.add(PER_TYPE.get(argument));
                    } else {
                        unknown.add(SOURCES.relativize(file) + ": getCollection(" + argument + ")");
                    }
                }
            }
        }
        assertThat(unknown)
                .as("collections named at run time; name them by a literal, or teach this test and §3 the pattern")
                .isEmpty();
        Map<String, Set<String>> documented = documented();
        assertThat(documented.keySet())
                .as("the collections of docs/architecture.md §3 against those the code names")
                .containsExactlyInAnyOrderElementsOf(named);
    }

    @Test
    void aRunningHubHoldsOnlyTheDocumentedCollectionsAndIndexes() throws IOException {
        Patient patient = new Patient();
        patient.addIdentifier().setSystem("urn:oid:1.2.392.100495.20.3.51.1").setValue("storage-1");
        patient.addName().setFamily("保存").addGiven("花子");
        String id = client.create().resource(patient).execute().getId().getIdPart();
        for (int i = 0; i < 2; i++) {
            client.create()
                    .resource(new Patient().addName(new org.hl7.fhir.r4.model.HumanName().setFamily("保存")))
                    .execute();
        }
        Observation observation = new Observation();
        observation.setStatus(Observation.ObservationStatus.FINAL).getCode().setText("体温");
        observation.setSubject(new Reference("Patient/" + id));
        client.create().resource(observation).execute();
        // a search and a history longer than a page leave their result lists behind the next links
        assertThat(get("/Patient?family=保存&_count=1").body()).contains("_getpages=");
        assertThat(get("/Patient/_history?_count=1").body()).contains("_getpages=");

        MongoDatabase db = hub.bean(MongoClient.class)
                .getDatabase(hub.bean(StoreProperties.class).database());
        Map<String, Set<String>> documented = documented();
        Set<String> resourceTypes = HubInstance.fhirContext().getResourceTypes();
        Map<String, Set<String>> found = new TreeMap<>();
        for (String collection : db.listCollectionNames()) {
            Set<String> indexes = new TreeSet<>();
            for (Document index : db.getCollection(collection).listIndexes()) {
                indexes.add(index.getString("name").equals("_id_") ? "_id" : index.getString("name"));
            }
            found.put(collection, indexes);
        }
        assertThat(found.keySet())
                .as("what the hub wrote here, with the collections of its write path")
                .contains(
                        "Patient",
                        "Patient_history",
                        "Observation",
                        "Observation_history",
                        "AuditEvent",
                        "AuditEvent_history",
                        "write_journal",
                        "search_keys",
                        "change_feed",
                        "result_snapshots",
                        "result_snapshot_keys",
                        "audit_chain",
                        "audit_chain_head");
        List<String> problems = new ArrayList<>();
        found.forEach((collection, indexes) -> {
            String row = documented.containsKey(collection)
                    ? collection
                    : collection.endsWith("_history")
                                    && resourceTypes.contains(collection.substring(0, collection.length() - 8))
                            ? "<Type>_history"
                            : resourceTypes.contains(collection) ? "<Type>" : null;
            if (row == null) {
                problems.add(collection + " is not in docs/architecture.md §3");
            } else if (!documented.get(row).equals(indexes)) {
                problems.add(collection + " has the indexes " + indexes + ", §3 says " + documented.get(row));
            }
        });
        assertThat(problems).isEmpty();
    }

    /**
     * The collections of §3's tables, each with the indexes its row names: every table of the section lists the same
     * collections; the first cell names the collection, the cell headed {@code indexes} its indexes.
     */
    static Map<String, Set<String>> documented() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int start = doc.indexOf("\n## 3. ");
        int end = doc.indexOf("\n## 4. ", start);
        assertThat(start).as("docs/architecture.md has a §3").isGreaterThanOrEqualTo(0);
        Map<String, Set<String>> indexes = new LinkedHashMap<>();
        List<Set<String>> tables = new ArrayList<>();
        Set<String> table = null;
        int indexColumn = -1;
        for (String line : doc.substring(start, end).split("\n")) {
            if (!line.startsWith("|")) {
                table = null;
                continue;
            }
            String[] parts = line.replace("\\|", "\u0000").split("\\|", -1);
            List<String> cells = List.of(parts).subList(1, parts.length - 1);
            if (table == null) {
                table = new TreeSet<>();
                tables.add(table);
                indexColumn = cells.stream().map(String::strip).toList().indexOf("indexes");
                continue;
            }
            if (cells.get(0).strip().startsWith("---") || cells.get(0).strip().startsWith(":--")) {
                continue;
            }
            Matcher name = NAME.matcher(cells.get(0));
            if (!name.find() || !name.group(1).matches("[A-Za-z_<>]+")) {
                continue;
            }
            table.add(name.group(1));
            if (indexColumn >= 0) {
                Set<String> named = new TreeSet<>();
                Matcher index = NAME.matcher(cells.get(indexColumn));
                while (index.find()) {
                    named.add(index.group(1));
                }
                indexes.put(name.group(1), named);
            }
        }
        assertThat(indexes).as("§3 has a table with a column headed 'indexes'").isNotEmpty();
        for (Set<String> listed : tables) {
            if (!listed.isEmpty()) {
                assertThat(listed)
                        .as("every table of §3 lists the same collections")
                        .containsExactlyInAnyOrderElementsOf(indexes.keySet());
            }
        }
        return indexes;
    }
}
