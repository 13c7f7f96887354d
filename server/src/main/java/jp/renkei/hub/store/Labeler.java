package jp.renkei.hub.store;

import org.hl7.fhir.r4.model.Resource;

/** Works out the patients and kind of a resource about to be written; the store adds the owner. */
@FunctionalInterface
public interface Labeler {

    AccessLabels label(String id, Resource resource);
}
