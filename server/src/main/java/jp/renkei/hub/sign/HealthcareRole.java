package jp.renkei.hub.sign;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x509.Attribute;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectDirectoryAttributes;

/**
 * A practitioner's profession as Japanese HPKI certificates carry it: the ISO 17090 {@code hcRole} attribute
 * ({@value #HC_ROLE_OID}) in the certificate's subject directory attributes extension, whose coded data names
 * a national qualification in English ("Medical Doctor", "Pharmacist", …) under a coding scheme OID.
 *
 * <p>Signing rules speak of these qualifications, not of the hub's job-based profession codes (a hospital
 * nurse and a visiting nurse are both "Nurse"). Qualifications HPKI does not certify (a care manager is
 * certified by the prefecture) are issued by the deployment CA under the hub's own coding scheme, so a
 * signature always says which kind of certificate vouched for it.
 *
 * <p>ASN.1, after ISO 17090-2: {@code HCActorData ::= SET OF HCActor}; {@code HCActor ::= SEQUENCE
 * { codedData [0] CodedData OPTIONAL, regionalHCActorData [1] ... OPTIONAL }}; {@code CodedData ::= SEQUENCE
 * { codingSchemeReference OBJECT IDENTIFIER, codeDataValue UTF8String, codeDataFreeText [0] ... OPTIONAL }}.
 * Reading is tolerant of tagging variants: it takes the first OID followed by a string inside each value.
 */
public final class HealthcareRole {

    /** id-hcpki-at-healthcareactor (ISO 17090-2). */
    public static final String HC_ROLE_OID = "1.0.17090.0.1";
    /**
     * The coding scheme of the hub's own role names, for what HPKI does not certify. The arc is a placeholder
     * under the example enterprise number: a real deployment registers its own.
     */
    public static final String RENKEI_SCHEME = "1.3.6.1.4.1.32473.17090.1";

    /** A role read from a certificate: its coding scheme and its value (e.g. "Medical Doctor"). */
    public record Role(String scheme, String value) {

        /** The qualification this names, if the hub knows it. */
        public Optional<Qualification> qualification() {
            return Qualification.ofValue(value);
        }
    }

    /**
     * The qualifications the hub's signing rules speak of: HPKI's English names for the national
     * qualifications it certifies, and the hub's own names for the rest, each with its Japanese label.
     */
    public enum Qualification {
        MEDICAL_DOCTOR("Medical Doctor", "医師", "physician"),
        DENTIST("Dentist", "歯科医師", "dentist"),
        PHARMACIST("Pharmacist", "薬剤師", "pharmacist"),
        NURSE("Nurse", "看護師", "hospital-nurse", "visiting-nurse"),
        PHYSICAL_THERAPIST("Physical Therapist", "理学療法士", "therapist"),
        SOCIAL_WORKER("Certified Social Worker", "社会福祉士", "msw"),
        CARE_MANAGER("Care Manager", "介護支援専門員", "care-manager"),
        CARE_WORKER("Certified Care Worker", "介護福祉士", "care-worker");

        private final String value;
        private final String japanese;
        private final List<String> professions;

        Qualification(String value, String japanese, String... professions) {
            this.value = value;
            this.japanese = japanese;
            this.professions = List.of(professions);
        }

        public String value() {
            return value;
        }

        public String japanese() {
            return japanese;
        }

        /** The hub's profession codes ({@code CodeSystem/profession}) whose holders have this qualification. */
        public List<String> professions() {
            return professions;
        }

        /** The qualification an hcRole value names ("Medical Doctor"). */
        public static Optional<Qualification> ofValue(String value) {
            return Arrays.stream(values()).filter(q -> q.value.equals(value)).findFirst();
        }

        /** The qualification of one of the hub's profession codes. */
        public static Optional<Qualification> ofProfession(String profession) {
            return Arrays.stream(values())
                    .filter(q -> q.professions.contains(profession))
                    .findFirst();
        }
    }

    private HealthcareRole() {}

    /** The subject directory attributes extension carrying this role. */
    @SuppressWarnings("JdkObsolete") // Bouncy Castle's SubjectDirectoryAttributes takes a Vector
    public static Extension extension(String scheme, String value) {
        ASN1EncodableVector codedData = new ASN1EncodableVector();
        codedData.add(new ASN1ObjectIdentifier(scheme));
        codedData.add(new DERUTF8String(value));
        DERSequence actor = new DERSequence(new DERTaggedObject(true, 0, new DERSequence(codedData)));
        Attribute attribute = new Attribute(new ASN1ObjectIdentifier(HC_ROLE_OID), new DERSet(actor));
        try {
            return new Extension(
                    Extension.subjectDirectoryAttributes,
                    false,
                    new SubjectDirectoryAttributes(new java.util.Vector<>(List.of(attribute))).getEncoded());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The roles the certificate carries (none for an organisation's certificate, or one with no hcRole). */
    public static List<Role> of(X509Certificate certificate) {
        byte[] extension = certificate.getExtensionValue(Extension.subjectDirectoryAttributes.getId());
        List<Role> roles = new ArrayList<>();
        if (extension == null) {
            return roles;
        }
        try {
            ASN1Primitive value = ASN1Primitive.fromByteArray(
                    ASN1OctetString.getInstance(extension).getOctets());
            for (Object a : SubjectDirectoryAttributes.getInstance(value).getAttributes()) {
                Attribute attribute = (Attribute) a;
                if (!attribute.getAttrType().getId().equals(HC_ROLE_OID)) {
                    continue;
                }
                for (ASN1Encodable actor : attribute.getAttrValues()) {
                    coded(actor.toASN1Primitive()).ifPresent(roles::add);
                }
            }
        } catch (java.io.IOException | IllegalArgumentException | ClassCastException e) {
            // an unreadable extension carries no role we can trust
        }
        return roles;
    }

    private static Optional<Role> coded(ASN1Primitive node) {
        if (node instanceof ASN1TaggedObject tagged) {
            return coded(tagged.getBaseObject().toASN1Primitive());
        }
        if (node instanceof ASN1Sequence || node instanceof ASN1Set) {
            ASN1Encodable[] items = node instanceof ASN1Sequence s ? s.toArray() : ((ASN1Set) node).toArray();
            if (items.length >= 2
                    && items[0] instanceof ASN1ObjectIdentifier oid
                    && items[1] instanceof ASN1String value) {
                return Optional.of(new Role(oid.getId(), value.getString()));
            }
            for (ASN1Encodable item : items) {
                Optional<Role> found = coded(item.toASN1Primitive());
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }
}
