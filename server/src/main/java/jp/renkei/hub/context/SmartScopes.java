package jp.renkei.hub.context;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SMART App Launch resource scopes of a token ({@code patient/*.rs}, {@code user/Observation.cruds},
 * v1 {@code user/*.read}). They only ever narrow what the role allows: a token that carries any
 * resource scope may do only what one of them names. A token without resource scopes is limited
 * by its role alone. Scopes with search restrictions ({@code ?category=...}) are not supported
 * and grant nothing, so they cannot widen anything either.
 */
public final class SmartScopes {

    public static final SmartScopes NONE = new SmartScopes(List.of(), false);

    private static final Pattern SCOPE =
            Pattern.compile("(patient|user|system)/([A-Za-z]+|\\*)\\.([cruds]+|read|write|\\*)(\\?.*)?");

    private record Scope(boolean patientContext, String type, String permissions, boolean restricted) {}

    private final List<Scope> scopes;
    private final boolean narrowing;

    private SmartScopes(List<Scope> scopes, boolean narrowing) {
        this.scopes = scopes;
        this.narrowing = narrowing;
    }

    public static SmartScopes parse(String scopeClaim) {
        if (scopeClaim == null || scopeClaim.isBlank()) {
            return NONE;
        }
        List<Scope> scopes = new ArrayList<>();
        for (String token : scopeClaim.trim().split("\\s+")) {
            Matcher m = SCOPE.matcher(token);
            if (!m.matches()) {
                continue;
            }
            String permissions = switch (m.group(3)) {
                case "read" -> "rs";
                case "write" -> "cud";
                case "*" -> "cruds";
                default -> m.group(3);
            };
            scopes.add(new Scope(m.group(1).equals("patient"), m.group(2), permissions, m.group(4) != null));
        }
        return scopes.isEmpty() ? NONE : new SmartScopes(List.copyOf(scopes), true);
    }

    /** Whether the token's scopes narrow the role at all. */
    public boolean narrowing() {
        return narrowing;
    }

    /**
     * Whether some scope allows permission {@code c r u d s} on this type, for a record about
     * {@code patients}; a {@code patient/} scope covers only the token's launch patient.
     */
    public boolean permits(String type, Permission permission, List<String> patients, String launchPatient) {
        if (!narrowing) {
            return true;
        }
        for (Scope scope : scopes) {
            if (scope.restricted()
                    || scope.permissions().indexOf(permission.letter()) < 0
                    || !(scope.type().equals("*") || scope.type().equals(type))) {
                continue;
            }
            if (!scope.patientContext()
                    || patients.isEmpty()
                    || (launchPatient != null && patients.stream().allMatch(launchPatient::equals))) {
                return true;
            }
        }
        return false;
    }

    /** Whether some scope allows the permission on some records of the type. */
    public boolean permitsSome(String type, Permission permission) {
        return !narrowing
                || scopes.stream()
                        .anyMatch(s -> !s.restricted()
                                && s.permissions().indexOf(permission.letter()) >= 0
                                && (s.type().equals("*") || s.type().equals(type)));
    }
}
