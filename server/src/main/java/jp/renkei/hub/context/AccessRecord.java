package jp.renkei.hub.context;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What one request touched, gathered while it runs so that its AuditEvent can name every patient
 * and record involved: the records the caller was shown or wrote, and the patients of records they
 * were refused. Bound to the request's thread between {@link #begin()} and {@link #end()}; outside a
 * request (start-up, tests calling the store) nothing is recorded.
 */
public final class AccessRecord {

    private static final ThreadLocal<AccessRecord> CURRENT = new ThreadLocal<>();

    private final Set<String> patients = new LinkedHashSet<>();
    private final Set<String> records = new LinkedHashSet<>();
    private boolean denied;
    private boolean emergency;
    private boolean breakGlassDeclared;
    private String query;

    public static AccessRecord begin() {
        AccessRecord record = new AccessRecord();
        CURRENT.set(record);
        return record;
    }

    public static AccessRecord current() {
        return CURRENT.get();
    }

    public static void end() {
        CURRENT.remove();
    }

    /** A record shown to or written by the caller: {@code Type/id/_history/version}, about these patients. */
    public static void touched(String type, String id, long version, Collection<String> patients) {
        AccessRecord record = CURRENT.get();
        if (record != null) {
            record.records.add(type + "/" + id + "/_history/" + version);
            record.patients.addAll(patients);
        }
    }

    /** A refusal concerning these patients (empty when no patient was involved). */
    public static void refused(Collection<String> patients) {
        AccessRecord record = CURRENT.get();
        if (record != null) {
            record.denied = true;
            record.patients.addAll(patients);
        }
    }

    /** Access under an emergency grant: the event's purpose of use is emergency treatment. */
    public static void emergency() {
        AccessRecord record = CURRENT.get();
        if (record != null) {
            record.emergency = true;
        }
    }

    /** This request declared an emergency (break-glass) for the patient. */
    public static void breakGlass(String patient) {
        AccessRecord record = CURRENT.get();
        if (record != null) {
            record.emergency = true;
            record.breakGlassDeclared = true;
            record.patients.add(patient);
        }
    }

    /**
     * This request tried to declare an emergency for a patient named by name and birth date (what was asked, kept as the
     * event's query, and the patients who matched: none, one, or several when the name was not enough).
     */
    public static void breakGlassAttempt(Collection<String> matched, String asked) {
        AccessRecord record = CURRENT.get();
        if (record != null) {
            record.emergency = true;
            record.breakGlassDeclared = true;
            record.patients.addAll(matched);
            record.query = asked;
        }
    }

    /** What a request that is not a search asked for, to be kept like a search's query (null: nothing). */
    public String query() {
        return query;
    }

    public boolean emergencyAccess() {
        return emergency;
    }

    public boolean breakGlassDeclared() {
        return breakGlassDeclared;
    }

    public Set<String> patients() {
        return patients;
    }

    public Set<String> records() {
        return records;
    }

    public boolean denied() {
        return denied;
    }
}
