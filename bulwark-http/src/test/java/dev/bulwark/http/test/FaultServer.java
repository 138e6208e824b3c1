package dev.bulwark.http.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on a loopback socket that misbehaves as real backends do: {@link Fault#RESET_MID_BODY}
 * sends a status line and half the promised body, then resets the connection;
 * {@link Fault#NO_HEADERS} reads the request and never answers. Counts the requests it read.
 */
public final class FaultServer implements AutoCloseable {
    /** How it misbehaves. */
    public enum Fault {
        RESET_MID_BODY, NO_HEADERS
    }

    private final ServerSocket socket;
    private final Fault fault;
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private FaultServer(Fault fault) throws IOException {
        this.fault = fault;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "fault-server-" + fault);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static FaultServer start(Fault fault) {
        try {
            return new FaultServer(fault);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port on loopback where nothing listens: connections are refused. */
    public static int refusedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** Requests read (each counted once its headers arrived). */
    public int requests() {
        return requests.get();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                open.add(s);
                Thread t = new Thread(() -> serve(s), "fault-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try {
            InputStream in = s.getInputStream();
            readHeaders(in);
            requests.incrementAndGet();
            if (fault == Fault.RESET_MID_BODY) {
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"partial\":")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                s.setSoLinger(true, 0); // close sends a reset
                s.close();
            }
            // NO_HEADERS: keep the connection open and say nothing until closed
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void readHeaders(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        int b;
        while ((b = in.read()) >= 0) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return;
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
