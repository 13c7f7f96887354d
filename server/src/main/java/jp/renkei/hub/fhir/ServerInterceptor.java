package jp.renkei.hub.fhir;

/**
 * A HAPI interceptor another capability adds to the FHIR server (the audit trail's), registered right after error
 * translation and before the server's own checks, so it sees every request, refused or not.
 */
public interface ServerInterceptor {}
