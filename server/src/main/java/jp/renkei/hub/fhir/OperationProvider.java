package jp.renkei.hub.fhir;

/**
 * A bean holding HAPI {@code @Operation} methods ({@code $verify-audit-chain}, {@code $break-glass},
 * {@code $revoke}, …). The capability that owns an operation implements it; the server registers
 * every such bean, so adding an operation does not touch the server.
 */
public interface OperationProvider {}
