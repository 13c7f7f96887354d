package jp.renkei.hub.access;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Settings that weaken the hub for local tests may be used only while it listens on loopback. */
public final class LoopbackOnly {

    private LoopbackOnly() {}

    /** @param setting the weakening setting, named in the refusal (e.g. {@code renkei.auth.enabled=false}) */
    public static void require(String bindAddress, String setting) {
        try {
            if (bindAddress == null
                    || bindAddress.isBlank()
                    || !InetAddress.getByName(bindAddress).isLoopbackAddress()) {
                throw new IllegalStateException(setting + " is allowed only with server.address on loopback"
                        + " (RENKEI_BIND_ADDRESS=127.0.0.1), not '" + bindAddress + "'");
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("Cannot resolve server.address '" + bindAddress + "'", e);
        }
    }
}
