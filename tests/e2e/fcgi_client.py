#!/usr/bin/env python3
"""A FastCGI client for the tests: speaks to a program's socket directly,
as a web server would, so a test can hold back what a server always sends
(the request body, the end of the input) and see what the program does.

    fcgi_client.py SOCKET METHOD PATH CONTENT_LENGTH STDIN TIMEOUT

STDIN is what is sent as the request body: "none" sends no input record
at all, "end" only the empty record that ends the input, anything else
that text and then the end.  Prints the HTTP status line the program
answered with and "complete" when its end-of-request record arrived, or
"timeout" when nothing complete came within TIMEOUT seconds.
"""
import socket
import struct
import sys

FCGI_BEGIN_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT = 1, 3, 4, 5, 6


def record(rtype, body=b""):
    """Returns one FastCGI record of request 1."""
    return struct.pack("!BBHHBx", 1, rtype, 1, len(body), 0) + body


def pair(name, value):
    """Returns one encoded name-value pair (both shorter than 128 bytes)."""
    n, v = name.encode(), value.encode()
    return bytes([len(n), len(v)]) + n + v


def main():
    path, method, url, clen, stdin, timeout = sys.argv[1:7]
    params = {
        "REQUEST_METHOD": method,
        "REQUEST_URI": url,
        "SCRIPT_NAME": url,
        "PATH_INFO": "",
        "QUERY_STRING": "",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    if clen != "0":
        params["CONTENT_LENGTH"] = clen
        params["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(float(timeout))
    s.connect(path)
    out = record(FCGI_BEGIN_REQUEST, struct.pack("!HB5x", 1, 0))
    out += record(FCGI_PARAMS, b"".join(pair(k, v) for k, v in params.items()))
    out += record(FCGI_PARAMS)
    if stdin != "none":
        if stdin != "end":
            out += record(FCGI_STDIN, stdin.encode())
        out += record(FCGI_STDIN)
    s.sendall(out)
    data, answer, done = b"", b"", False
    try:
        while not done:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            while len(data) >= 8:
                _, rtype, _, length, pad = struct.unpack("!BBHHBx", data[:8])
                if len(data) < 8 + length + pad:
                    break
                body, data = data[8:8 + length], data[8 + length + pad:]
                if rtype == FCGI_STDOUT:
                    answer += body
                elif rtype == FCGI_END_REQUEST:
                    done = True
    except socket.timeout:
        pass
    status = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    print(status if status else "(no answer)")
    print("complete" if done else "timeout")
    s.close()


if __name__ == "__main__":
    main()
