package jp.renkei.hub;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The boundaries between the hub's packages, as docs/architecture.md §1 draws them: each capability depends only on
 * those below it, so no two packages import each other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchitectureTest {

    private static final String HUB = "jp.renkei.hub";

    /**
     * The packages from the bottom up; a package may use those in earlier rows, never one in its own row or later.
     * The request context and the search vocabulary know nothing of the rest; the store knows records, not who reads
     * them; the consent decision and then the access rules judge a caller against stored records; the FHIR layer is
     * the one way clients and the hub itself read and write; the capabilities built on it come last.
     */
    private static final List<List<String>> LAYERS = List.of(
            List.of("context", "search"),
            List.of("store.embedded"),
            List.of("store"),
            List.of("consent"),
            List.of("access"),
            List.of("fhir"),
            List.of("validation"),
            List.of("sign"),
            List.of("audit", "workflow", "consent.operations", "print", "emergency"),
            List.of("notify"),
            List.of("admin", "web"));

    private JavaClasses hub;
    private final Map<String, Integer> rank = new LinkedHashMap<>();

    @BeforeAll
    void importTheHub() {
        hub = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(HUB);
        for (int i = 0; i < LAYERS.size(); i++) {
            for (String pkg : LAYERS.get(i)) {
                rank.put(HUB + "." + pkg, i);
            }
        }
    }

    @Test
    void noTwoPackagesDependOnEachOther() {
        slices().matching(HUB + ".(**)").should().beFreeOfCycles().check(hub);
    }

    @Test
    void everyPackageHasItsPlaceInTheLayers() {
        classes()
                .that()
                .resideInAPackage(HUB + ".*..")
                .should(new ArchCondition<>("reside in a package of LAYERS") {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        if (!rank.containsKey(c.getPackageName())) {
                            events.add(SimpleConditionEvent.violated(
                                    c,
                                    c.getName() + " is in " + c.getPackageName()
                                            + ", which ArchitectureTest.LAYERS does not place"));
                        }
                    }
                })
                .check(hub);
    }

    @Test
    void eachPackageUsesOnlyThePackagesBelowIt() {
        classes()
                .that()
                .resideInAPackage(HUB + ".*..")
                .should(new ArchCondition<>("use only packages below their own") {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        Integer own = rank.get(c.getPackageName());
                        for (Dependency d : c.getDirectDependenciesFromSelf()) {
                            String target = d.getTargetClass().getPackageName();
                            Integer below = rank.get(target);
                            if (own != null && below != null && !target.equals(c.getPackageName()) && below >= own) {
                                events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                            }
                        }
                    }
                })
                .check(hub);
    }

    /**
     * The raw store is the store package's own: everyone else reads through {@code Records} (which checks a record's
     * integrity before it becomes a resource) and writes through {@code Writes} (the write rules, sealing, the change feed).
     */
    @Test
    void onlyTheStoreTouchesTheRawStore() {
        noClasses()
                .that()
                .resideOutsideOfPackage(HUB + ".store..")
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName(HUB + ".store.ResourceStore")
                .check(hub);
    }

    /**
     * The MongoDB driver is the store package's too: every collection is kept by a store class with a plain-Java API,
     * so the atomic updates, unique indexes and durability of each stay in one place.
     */
    @Test
    void onlyTheStoreUsesTheMongoDbDriver() {
        noClasses()
                .that()
                .resideOutsideOfPackage(HUB + ".store..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("com.mongodb..")
                .check(hub);
    }
}
