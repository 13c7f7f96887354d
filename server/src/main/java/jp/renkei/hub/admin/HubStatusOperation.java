package jp.renkei.hub.admin;

import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.time.Instant;
import java.util.Date;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.audit.AuditAnchoring;
import jp.renkei.hub.fhir.OperationProvider;
import jp.renkei.hub.notify.NotificationSocket;
import jp.renkei.hub.sign.PkiStatus;
import jp.renkei.hub.workflow.OverdueHandoffs;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code GET /fhir/$hub-status}: the hub's health for its administrator (hub-admin only, by role: reading AuditEvents
 * is not enough) — the audit chain as last checked, the deployment CA's certificates and CRLs, the notification sockets
 * open on this node and the number of overdue hand-offs. Counts, dates and certificate names only: no patient, no
 * record, no person. It checks nothing again: the chain's result is the last check this node made (at start-up, on the
 * schedule or on {@code $verify-audit-chain}), so calling it often costs a handful of lookups by {@code _id}, the PKI
 * files as already cached, and one search over the Tasks' index.
 *
 * <p>Sockets are counted on the node that answers, and say which node that is: they live in that node's memory, and
 * each node's count is what tells a leak or an overloaded node (docs/security.md, "The hub's status").
 */
public final class HubStatusOperation implements OperationProvider {

    private final AccessGuard guard;
    private final AuditAnchoring anchoring;
    private final PkiStatus pki;
    private final NotificationSocket sockets;
    private final OverdueHandoffs overdue;
    private final String node;

    HubStatusOperation(
            AccessGuard guard,
            AuditAnchoring anchoring,
            PkiStatus pki,
            NotificationSocket sockets,
            OverdueHandoffs overdue,
            String node) {
        this.guard = guard;
        this.anchoring = anchoring;
        this.pki = pki;
        this.sockets = sockets;
        this.overdue = overdue;
        this.node = node;
    }

    @Operation(name = "$hub-status", idempotent = true)
    public Parameters status() {
        if (!guard.mayAdministerHub()) {
            throw new ForbiddenOperationException(
                    "ハブの状態は hub-admin のみ参照できます (only hub-admin may read the hub's status)");
        }
        Parameters out = new Parameters();
        out.addParameter().setName("node").setValue(new StringType(node));
        out.addParameter().setName("generated").setValue(instant(Instant.now()));
        auditChain(out.addParameter().setName("auditChain"));
        for (PkiStatus.Certificate certificate : pki.certificates()) {
            ParametersParameterComponent part = out.addParameter().setName("certificate");
            part.addPart()
                    .setName("role")
                    .setValue(new CodeType(certificate.role().code()));
            part.addPart().setName("name").setValue(new StringType(certificate.name()));
            if (certificate.organization() != null) {
                part.addPart().setName("organization").setValue(new StringType(certificate.organization()));
            }
            part.addPart().setName("notBefore").setValue(instant(certificate.notBefore()));
            part.addPart().setName("notAfter").setValue(instant(certificate.notAfter()));
        }
        for (PkiStatus.Crl crl : pki.crls()) {
            ParametersParameterComponent part = out.addParameter().setName("crl");
            part.addPart().setName("issuer").setValue(new StringType(crl.issuer()));
            part.addPart().setName("thisUpdate").setValue(instant(crl.thisUpdate()));
            if (crl.nextUpdate() != null) {
                part.addPart().setName("nextUpdate").setValue(instant(crl.nextUpdate()));
            }
        }
        ParametersParameterComponent open = out.addParameter().setName("notificationSockets");
        open.addPart().setName("node").setValue(new StringType(node));
        open.addPart().setName("open").setValue(new IntegerType(sockets.openSessions()));
        out.addParameter().setName("overdueHandoffs").setValue(new IntegerType(overdue.countOverdue()));
        return out;
    }

    private void auditChain(ParametersParameterComponent chain) {
        var last = anchoring.lastCheck();
        chain.addPart()
                .setName("state")
                .setValue(new CodeType(
                        last.isEmpty() ? "unchecked" : last.get().status().intact() ? "intact" : "broken"));
        last.ifPresent(checked -> {
            AuditAnchoring.Status status = checked.status();
            chain.addPart().setName("checkedAt").setValue(instant(checked.at()));
            chain.addPart()
                    .setName("checkScope")
                    .setValue(new CodeType(checked.whole() ? "full" : "from-newest-checkpoint"));
            chain.addPart().setName("links").setValue(new IntegerType(Math.toIntExact(status.links())));
            if (!status.intact()) {
                chain.addPart()
                        .setName("firstBrokenLink")
                        .setValue(new IntegerType(Math.toIntExact(status.firstBroken())));
                chain.addPart().setName("problem").setValue(new StringType(status.problem()));
            }
            chain.addPart().setName("anchored").setValue(new BooleanType(status.anchored()));
        });
        anchoring
                .lastFullCheckOfAnyNode()
                .ifPresent(at -> chain.addPart().setName("lastFullCheck").setValue(instant(at)));
        // not named "sealed": palantir-java-format fails on that contextual keyword as a lambda parameter
        anchoring.newestCheckpoint().ifPresent(checkpoint -> {
            chain.addPart().setName("sealedThrough").setValue(new IntegerType(Math.toIntExact(checkpoint.through())));
            chain.addPart().setName("sealedAt").setValue(instant(checkpoint.sealedAt()));
        });
    }

    private static InstantType instant(Instant at) {
        return new InstantType(Date.from(at));
    }
}
