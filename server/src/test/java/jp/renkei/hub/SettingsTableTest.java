package jp.renkei.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Executable;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The settings table of docs/architecture.md §9 is generated from application.yml, where each setting says in a
 * comment what it means; the environment variable and the default are read from the value itself ({@code
 * ${RENKEI_X:default}}) or, for a plain value, are the Spring relaxed-binding name, and each is tried: a variable
 * that does not reach its setting is not listed. The test fails when the table differs from the file, when a setting
 * has no comment, when a comment names a variable that sets nothing, and when the hub reads a setting (a
 * {@code @ConfigurationProperties} record, {@code @Value}, {@code @Scheduled}) that application.yml does not list, or
 * the file lists a {@code renkei.*} setting nothing reads. Regenerate with {@code -Drenkei.writeDocs=true}.
 */
class SettingsTableTest {

    private static final Path YAML = Path.of("src", "main", "resources", "application.yml");
    private static final Path DOC = Path.of("..", "docs", "architecture.md");
    static final String BEGIN =
            "<!-- settings: generated from server/src/main/resources/application.yml by SettingsTableTest;"
                    + " edit the comments there, not this table -->";
    static final String END = "<!-- end of generated settings -->";
    private static final String SENTINEL = "set-from-the-environment";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):(.*)}");
    private static final Pattern NESTED_VARIABLE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):");
    /** What a comment names as an environment variable: upper case words joined by underscores. */
    private static final Pattern VARIABLE = Pattern.compile("\\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\\b");

    private static final Pattern KEY = Pattern.compile("([A-Za-z0-9_.\\-]+):(?:\\s+(.*))?");
    private static final Pattern READ_PROPERTY = Pattern.compile("\\$\\{([a-z0-9.\\-]+)(?::[^}]*)?}");

    /** A setting (a leaf of application.yml), or a section's note (a mapping with a comment of its own). */
    record Entry(String name, List<String> comment, boolean section) {}

    /** One row of the table; {@code placeholder}: the file names the variable in the value, not only in the comment. */
    record Row(String name, String variable, boolean placeholder, String defaultValue, String meaning) {

        boolean section() {
            return name.endsWith(".*");
        }
    }

    @Test
    void theSettingsTableIsGeneratedFromApplicationYml() throws IOException {
        String table = render(rows());
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        assertThat(begin)
                .as("docs/architecture.md §9 has no generated settings table (" + BEGIN + " … " + END + ")")
                .isGreaterThanOrEqualTo(0);
        assertThat(end)
                .as("docs/architecture.md: the end of the settings table is missing")
                .isGreaterThan(begin);
        String updated = doc.substring(0, begin) + table + doc.substring(end + END.length());
        if (Boolean.getBoolean("renkei.writeDocs")) {
            Files.writeString(DOC, updated, StandardCharsets.UTF_8);
            return;
        }
        assertThat(doc.substring(begin, end + END.length()))
                .as(
                        "the settings table of docs/architecture.md §9 differs from application.yml; regenerate it: mvn -B -ntp -o -q"
                                + " -pl server -am test -Dtest=SettingsTableTest -Dsurefire.failIfNoSpecifiedTests=false -Drenkei.writeDocs=true")
                .isEqualTo(table);
    }

    @Test
    void everySettingSaysWhatItMeansAndNamesOnlyVariablesThatSetSomething() throws IOException {
        List<Row> rows = rows();
        Set<String> variables = new TreeSet<>();
        rows.forEach(r -> {
            if (r.variable() != null) {
                variables.add(r.variable());
            }
        });
        variables.addAll(nestedVariables());
        List<String> problems = new ArrayList<>();
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (Entry entry : entries()) {
            byName.put(entry.name(), entry);
            if (!entry.section() && entry.comment().isEmpty()) {
                problems.add(entry.name() + " has no comment in application.yml saying what it means");
            }
            Matcher named = VARIABLE.matcher(String.join(" ", entry.comment()));
            while (named.find()) {
                if (!variables.contains(named.group())) {
                    problems.add("the comment of " + entry.name() + " names " + named.group()
                            + ", which sets no setting of application.yml");
                }
            }
        }
        for (Row row : rows) {
            if (row.section()) {
                continue;
            }
            if (row.name().startsWith("renkei.") && row.variable() == null) {
                problems.add(row.name() + " cannot be set from the environment");
            }
            // a plain value does not show its variable: the comment names it for whoever reads the file
            if (row.variable() != null
                    && !row.placeholder()
                    && !String.join(" ", byName.get(row.name()).comment()).contains(row.variable())) {
                problems.add(
                        "the comment of " + row.name() + " does not name its environment variable " + row.variable());
            }
        }
        assertThat(problems).as("application.yml").isEmpty();
    }

    @Test
    void everySettingTheHubReadsIsInApplicationYmlAndEveryRenkeiSettingThereIsRead() throws Exception {
        Set<String> listed = new LinkedHashSet<>();
        entries().stream().filter(e -> !e.section()).forEach(e -> listed.add(e.name()));
        Set<String> read = readByTheHub();
        assertThat(read)
                .as("settings the hub reads (@ConfigurationProperties, @Value, @Scheduled) that application.yml does"
                        + " not list, with a comment saying what they mean")
                .isSubsetOf(listed);
        Set<String> unread = new TreeSet<>(listed);
        unread.removeIf(name -> !name.startsWith("renkei.") || read.contains(name));
        assertThat(unread)
                .as("renkei.* settings in application.yml that nothing in the hub reads")
                .isEmpty();
    }

    // ---- application.yml -------------------------------------------------------------------------

    /** The settings and section notes in file order, each with the comment lines just above it. */
    static List<Entry> entries() throws IOException {
        List<Entry> out = new ArrayList<>();
        List<String> comment = new ArrayList<>();
        List<int[]> indents = new ArrayList<>();
        List<String> path = new ArrayList<>();
        for (String line : Files.readAllLines(YAML, StandardCharsets.UTF_8)) {
            String text = line.strip();
            if (text.isEmpty()) {
                continue;
            }
            if (text.startsWith("#")) {
                comment.add(text.substring(1).strip());
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            Matcher key = KEY.matcher(text);
            if (!key.matches()) {
                throw new IllegalStateException("application.yml: a line the settings table cannot read: " + line);
            }
            while (!indents.isEmpty() && indents.get(indents.size() - 1)[0] >= indent) {
                indents.remove(indents.size() - 1);
                path.remove(path.size() - 1);
            }
            String name = Stream.concat(path.stream(), Stream.of(key.group(1))).collect(Collectors.joining("."));
            boolean section = key.group(2) == null || key.group(2).isBlank();
            // a comment above a top-level key is the file's own, not one setting's
            if (!section || (!comment.isEmpty() && !path.isEmpty())) {
                out.add(new Entry(name, List.copyOf(comment), section));
            }
            comment.clear();
            if (section) {
                indents.add(new int[] {indent});
                path.add(key.group(1));
            }
        }
        return out;
    }

    /** application.yml as Spring loads it: values as written, placeholders unresolved. */
    static Map<String, String> values() throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (PropertySource<?> source : yamlSources()) {
            if (source.getSource() instanceof Map<?, ?> map) {
                map.forEach((k, v) -> values.put(k.toString(), String.valueOf(source.getProperty(k.toString()))));
            }
        }
        return values;
    }

    private static List<PropertySource<?>> yamlSources() throws IOException {
        return new YamlPropertySourceLoader().load("application.yml", new FileSystemResource(YAML));
    }

    /** Variables that only appear inside another variable's default, e.g. RENKEI_PKI_DIR. */
    private static Set<String> nestedVariables() throws IOException {
        Set<String> out = new TreeSet<>();
        for (String value : values().values()) {
            Matcher m = NESTED_VARIABLE.matcher(value);
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    static List<Row> rows() throws IOException {
        Map<String, String> values = values();
        Set<String> covered = new TreeSet<>();
        List<Row> rows = new ArrayList<>();
        for (Entry entry : entries()) {
            String meaning = String.join(" ", entry.comment());
            if (entry.section()) {
                rows.add(new Row(entry.name() + ".*", null, false, null, meaning));
                continue;
            }
            List<String> items = new ArrayList<>();
            if (values.containsKey(entry.name())) {
                items.add(values.get(entry.name()));
            } else {
                for (int i = 0; values.containsKey(entry.name() + "[" + i + "]"); i++) {
                    items.add(values.get(entry.name() + "[" + i + "]"));
                }
            }
            if (items.isEmpty()) {
                throw new IllegalStateException("application.yml: Spring reads no value for " + entry.name());
            }
            covered.add(entry.name());
            String variable;
            String defaultValue;
            Matcher placeholder = PLACEHOLDER.matcher(items.get(0));
            if (items.size() == 1 && placeholder.matches()) {
                variable = placeholder.group(1);
                defaultValue = placeholder.group(2);
            } else {
                variable = relaxedName(entry.name());
                defaultValue = String.join(" ", items);
            }
            boolean named = items.size() == 1 && placeholder.matches();
            if (variable != null && !reaches(variable, entry.name(), items.size() > 1)) {
                variable = null;
            }
            rows.add(new Row(entry.name(), variable, named, defaultValue, withoutOwnVariable(meaning, variable)));
        }
        Set<String> loaded = new TreeSet<>();
        values.keySet().forEach(k -> loaded.add(k.replaceAll("\\[\\d+]$", "")));
        if (!loaded.equals(covered)) {
            throw new IllegalStateException(
                    "application.yml: the settings table reads " + covered + " but Spring reads " + loaded);
        }
        return rows;
    }

    /**
     * The environment variable Spring's relaxed binding maps onto this setting (dots and dashes as underscores), or
     * null when the name has upper-case letters (a logger's class name): the environment cannot say those.
     */
    static String relaxedName(String name) {
        if (!ConfigurationPropertyName.isValid(name)) {
            return null;
        }
        return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Whether the variable, set in the environment, is what the hub would read for the setting: bound as Spring binds
     * it, the environment before application.yml, placeholders resolved; a list from a comma-separated value.
     */
    static boolean reaches(String variable, String name, boolean list) throws IOException {
        MutablePropertySources sources = new MutablePropertySources();
        sources.addLast(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                Map.of(variable, list ? SENTINEL + ",2" : SENTINEL)));
        yamlSources().forEach(sources::addLast);
        Binder binder = new Binder(
                ConfigurationPropertySources.from(sources), new PropertySourcesPlaceholdersResolver(sources));
        if (list) {
            return binder.bind(name, Bindable.listOf(String.class))
                    .map(List.of(SENTINEL, "2")::equals)
                    .orElse(false);
        }
        return binder.bind(name, Bindable.of(String.class))
                .map(SENTINEL::equals)
                .orElse(false);
    }

    /** The comment without its own variable in parentheses: the table has a column for it. */
    static String withoutOwnVariable(String meaning, String variable) {
        if (variable == null) {
            return meaning;
        }
        return meaning.replace(" (" + variable + ")", "")
                .replace("(" + variable + ")", "")
                .replace("(" + variable + ", ", "(")
                .replace(", " + variable + ")", ")");
    }

    // ---- what the hub reads ----------------------------------------------------------------------

    static Set<String> readByTheHub() throws Exception {
        Set<String> read = new TreeSet<>();
        for (Class<?> type : mainClasses()) {
            ConfigurationProperties properties = type.getAnnotation(ConfigurationProperties.class);
            if (properties != null) {
                if (!type.isRecord()) {
                    throw new IllegalStateException(type + ": the settings table reads the settings of records only");
                }
                components(properties.value().isEmpty() ? properties.prefix() : properties.value(), type, read);
            }
            List<AnnotatedElement> elements = new ArrayList<>(List.of(type.getDeclaredFields()));
            List<Executable> executables = new ArrayList<>(List.of(type.getDeclaredMethods()));
            executables.addAll(List.of(type.getDeclaredConstructors()));
            for (Executable executable : executables) {
                elements.add(executable);
                elements.addAll(List.of(executable.getParameters()));
            }
            for (AnnotatedElement element : elements) {
                if (element.getAnnotation(ConfigurationProperties.class) != null) {
                    throw new IllegalStateException(
                            element + ": the settings table reads @ConfigurationProperties records only");
                }
                Value value = element.getAnnotation(Value.class);
                if (value != null) {
                    named(value.value(), read);
                }
                Scheduled scheduled = element.getAnnotation(Scheduled.class);
                if (scheduled != null) {
                    Stream.of(
                                    scheduled.cron(),
                                    scheduled.fixedDelayString(),
                                    scheduled.fixedRateString(),
                                    scheduled.initialDelayString())
                            .forEach(s -> named(s, read));
                }
            }
        }
        return read;
    }

    /** Every class of the hub (target/classes), not loaded beyond what reflection needs. */
    private static List<Class<?>> mainClasses() throws IOException, ClassNotFoundException {
        Path root = Path.of("target", "classes");
        List<String> names;
        try (Stream<Path> files = Files.walk(root.resolve(Path.of("jp", "renkei", "hub")))) {
            names = files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> root.relativize(f).toString())
                    .map(f -> f.substring(0, f.length() - ".class".length()).replace(java.io.File.separatorChar, '.'))
                    .sorted()
                    .toList();
        }
        List<Class<?>> out = new ArrayList<>();
        for (String name : names) {
            out.add(Class.forName(name, false, SettingsTableTest.class.getClassLoader()));
        }
        return out;
    }

    private static void components(String prefix, Class<?> type, Set<String> read) {
        for (RecordComponent component : type.getRecordComponents()) {
            String name = prefix + "." + kebab(component.getName());
            Class<?> componentType = component.getType();
            if (componentType.isRecord() && componentType.getName().startsWith("jp.renkei.hub.")) {
                components(name, componentType, read);
            } else {
                read.add(name);
            }
        }
    }

    private static void named(String expression, Set<String> read) {
        Matcher m = READ_PROPERTY.matcher(expression);
        while (m.find()) {
            read.add(m.group(1));
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    // ---- the table -------------------------------------------------------------------------------

    static String render(List<Row> rows) {
        StringBuilder out = new StringBuilder(BEGIN).append("\n\n");
        out.append("| property | environment | default | meaning |\n|---|---|---|---|\n");
        for (Row row : rows) {
            out.append("| ")
                    .append(code(row.name()))
                    .append(" | ")
                    .append(row.section() ? "" : row.variable() == null ? "—" : code(row.variable()))
                    .append(" | ")
                    .append(
                            row.defaultValue() == null
                                    ? ""
                                    : row.defaultValue().isEmpty() ? "empty" : code(row.defaultValue()))
                    .append(" | ")
                    .append(text(row.meaning()))
                    .append(" |\n");
        }
        return out.append('\n').append(END).toString();
    }

    /** A code span that may hold backticks, and pipes escaped for the table. */
    private static String code(String value) {
        String fence = value.contains("`") ? "``" : "`";
        String padding = value.contains("`") ? " " : "";
        return fence + padding + value.replace("|", "\\|") + padding + fence;
    }

    private static String text(String value) {
        return value.replace("|", "\\|")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("*", "\\*");
    }
}
