package jp.renkei.hub.workflow;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import jp.renkei.hub.fhir.SearchExpansion;
import jp.renkei.hub.store.SearchExecutor;
import jp.renkei.hub.store.StoredResource;

/**
 * An organisation's inbox holds what is addressed to it and to its people: {@code Task?owner=Organization/{id}} also
 * finds the Tasks addressed to the organisation's PractitionerRoles ({@code PractitionerRole.organization} in the
 * directory) and to the Practitioners who hold them. The roles are looked up when the search is made, so a role added
 * or moved counts at once. Each Task found is still shown only to those who may read it (its addressee, the patient's
 * care team, …): an office's inbox shows each member what is theirs, not a colleague's hand-offs.
 */
final class OrganisationInbox implements SearchExpansion {

    private static final Pattern ORGANIZATION = Pattern.compile("Organization/([A-Za-z0-9\\-.]{1,64})");

    private final SearchExecutor searches;

    public OrganisationInbox(SearchExecutor searches) {
        this.searches = searches;
    }

    @Override
    public Map<String, String[]> expand(String type, Map<String, String[]> parameters) {
        String[] owners = parameters.get("owner");
        if (!"Task".equals(type) || owners == null) {
            return parameters;
        }
        String[] expanded = new String[owners.length];
        boolean widened = false;
        for (int i = 0; i < owners.length; i++) {
            Set<String> people = new LinkedHashSet<>();
            // ids have no commas, so an organisation among the alternatives shows whole between them
            for (String alternative : owners[i] == null ? new String[0] : owners[i].split(",")) {
                if (ORGANIZATION.matcher(alternative).matches()) {
                    for (StoredResource role :
                            searches.currentWhere("PractitionerRole", "organization", alternative, false)) {
                        people.add("PractitionerRole/" + role.id());
                        role.indexValues("practitioner").forEach(practitioner -> people.add(practitioner.toString()));
                    }
                }
            }
            expanded[i] = people.isEmpty() ? owners[i] : owners[i] + "," + String.join(",", people);
            widened |= !people.isEmpty();
        }
        if (!widened) {
            return parameters;
        }
        Map<String, String[]> widenedParameters = new LinkedHashMap<>(parameters);
        widenedParameters.put("owner", expanded);
        return widenedParameters;
    }
}
