package jp.renkei.hub.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Property;

/**
 * What a FHIR body must be before anything in it is used, checked once for every request that carries one (create,
 * update, transaction and batch Bundles with all their entries, operations, Subscriptions): UTF-8, the only encoding
 * FHIR allows (a lenient decoder would store U+FFFD in place of the bad bytes); present where a resource is
 * expected; and free of characters FHIR strings may not hold: control characters other than tab, CR and LF
 * (datatypes.html#string, {@code [ \r\n\t\S]+} and "SHOULD not contain characters below 32") and lone UTF-16
 * surrogates, which are no characters at all. Any of these is a 400 and nothing is written.
 */
@Interceptor
public final class BodyCheck {

    /** The bytes, before HAPI FHIR decodes them; other content types are refused (415) or exempt by {@link ContentTypeCheck}. */
    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public void requireUtf8(RequestDetails request) {
        RequestTypeEnum method = request.getRequestType();
        if (method != RequestTypeEnum.POST && method != RequestTypeEnum.PUT && method != RequestTypeEnum.PATCH) {
            return;
        }
        String contentType = request.getHeader("Content-Type");
        if (contentType == null || EncodingEnum.forContentTypeStrict(contentType) == null) {
            return;
        }
        String charset = charset(contentType);
        if (charset != null && !charset.equals("utf-8") && !charset.equals("utf8")) {
            throw new UnclassifiedServerFailureException(
                    415,
                    "Content-Type charset '" + charset
                            + "' is not supported; FHIR resources are sent in UTF-8 (charset=utf-8)");
        }
        byte[] body = request.loadRequestContents();
        int malformed = firstMalformedByte(body);
        if (malformed >= 0) {
            throw OperationOutcomes.invalid(
                    IssueType.STRUCTURE,
                    null,
                    "本文が UTF-8 ではありません (the body is not valid UTF-8:" + " malformed byte sequence at byte offset "
                            + malformed + "; nothing was stored)");
        }
    }

    /** The parsed resource, which HAPI FHIR hands to interceptors before it calls the provider. */
    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
    public void requireResourceWithValidStrings(RequestDetails request, RestOperationTypeEnum operation) {
        IBaseResource resource = request.getResource();
        if (resource == null) {
            if (operation == RestOperationTypeEnum.CREATE
                    || operation == RestOperationTypeEnum.UPDATE
                    || operation == RestOperationTypeEnum.TRANSACTION) {
                throw OperationOutcomes.invalid(
                        IssueType.REQUIRED, null, "本文にリソースがありません (the request has no resource in its body)");
            }
            return;
        }
        if (resource instanceof Base base) {
            String path = forbiddenCharacterAt(base);
            if (path != null) {
                String where = base.fhirType() + path;
                throw OperationOutcomes.invalid(
                        IssueType.VALUE,
                        where,
                        "文字列に使えない文字が含まれています (" + where
                                + " contains a control character or an unpaired surrogate; FHIR strings allow no control"
                                + " characters other than tab, CR and LF; nothing was stored)");
            }
        }
    }

    private static String charset(String contentType) {
        for (String parameter : contentType.split(";")) {
            String[] pair = parameter.trim().split("=", 2);
            if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("charset")) {
                return pair[1].trim().replace("\"", "").toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    /** The offset of the first byte that does not belong to a well-formed UTF-8 sequence, or -1. */
    static int firstMalformedByte(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(8192); // decoded only to be checked, a window at a time
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                return in.position();
            }
            if (result.isUnderflow()) {
                return -1;
            }
            out.clear();
        }
    }

    /**
     * The FHIRPath below {@code element} (".name[0].family") of the first primitive value holding a character FHIR
     * strings do not allow, or null. The path is only built for that one value.
     */
    static String forbiddenCharacterAt(Base element) {
        if (element instanceof PrimitiveType<?> primitive
                && primitive.hasValue()
                && !allowedInString(primitive.getValueAsString())) {
            return "";
        }
        for (Property property : element.children()) {
            List<Base> values = property.getValues();
            for (int i = 0; i < values.size(); i++) {
                Base value = values.get(i);
                if (value == null) {
                    continue;
                }
                String below = forbiddenCharacterAt(value);
                if (below != null) {
                    String name = property.getName().replace("[x]", "");
                    return "." + name + (property.isList() ? "[" + i + "]" : "") + below;
                }
            }
        }
        return null;
    }

    static boolean allowedInString(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\r' && c != '\n') {
                return false;
            }
            if (Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
