/*
 * fcgifloor: the least a FastCGI page can cost, for `make bench-pages`.
 *
 * Answers every request with the bytes of one file read at start (the
 * static twin of the /ssl page), through libfcgi as certdesk's programs
 * do, and does nothing else: no parsing, no database, no template.  Its
 * rate behind the same lighttpd is the ceiling any form page can reach
 * there, so bench-pages prints it beside the pages.  It ends each
 * request as lib/web.c does: on a Unix socket, once the request's input
 * is all read, without libfcgi's wait for the server to close first.
 *
 *	fcgifloor FILE
 */
#include <sys/socket.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include <fastcgi.h>
#include <fcgiapp.h>

/* Returns 1 when the end of req's input is in, read without waiting. */
static int
input_done(FCGX_Request *req)
{
	int	 fl, done;

	if ((fl = fcntl(req->ipcFd, F_GETFL)) == -1 ||
	    fcntl(req->ipcFd, F_SETFL, fl | O_NONBLOCK) == -1)
		return 0;
	done = FCGX_GetChar(req->in) == EOF && FCGX_GetError(req->in) == 0;
	if (fcntl(req->ipcFd, F_SETFL, fl) == -1)
		done = 0;
	return done;
}

int
main(int argc, char *argv[])
{
	FCGX_Request	 req;
	FILE		*fp;
	struct sockaddr_storage ss = { 0 };
	socklen_t	 sslen = sizeof(ss);
	int		 local;
	static char	 page[64 * 1024];
	size_t		 len;

	if (argc != 2 || (fp = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: fcgifloor FILE\n");
		return 2;
	}
	len = fread(page, 1, sizeof(page), fp);
	if (ferror(fp) || fclose(fp) != 0) {
		fprintf(stderr, "fcgifloor: cannot read %s\n", argv[1]);
		return 1;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
		return 1;
	local = getsockname(FCGI_LISTENSOCK_FILENO, (struct sockaddr *)&ss,
	    &sslen) == 0 && ss.ss_family == AF_UNIX;
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_FPrintF(req.out, "Status: 200 OK\r\n"
		    "Content-Type: text/html; charset=utf-8\r\n"
		    "Content-Length: %d\r\n\r\n", (int)len);
		FCGX_PutStr(page, (int)len, req.out);
		if (local && input_done(&req))
			(void)FCGX_Detach(&req);
		FCGX_Finish_r(&req);
	}
	return 0;
}
