package jp.renkei.hub.admin;

import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.audit.AuditAnchoring;
import jp.renkei.hub.audit.AuditProperties;
import jp.renkei.hub.notify.NotificationSocket;
import jp.renkei.hub.sign.PkiStatus;
import jp.renkei.hub.workflow.OverdueHandoffs;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The hub administrator's view of the hub's health ({@code $hub-status}). */
@Configuration(proxyBeanMethods = false)
class HubStatusConfig {

    @Bean
    HubStatusOperation hubStatusOperation(
            AccessGuard guard,
            AuditAnchoring anchoring,
            PkiStatus pki,
            NotificationSocket sockets,
            OverdueHandoffs overdue,
            AuditProperties audit) {
        return new HubStatusOperation(guard, anchoring, pki, sockets, overdue, audit.nodeName());
    }
}
