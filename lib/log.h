/* log: lines to stderr (the web server's error log), tagged with program and request id. */
#ifndef CERTDESK_LOG_H
#define CERTDESK_LOG_H

/* Sets the program name that prefixes every line; the string is borrowed. */
void	log_init(const char *prog);
/* Sets (or clears with NULL) the request id printed on each line; copied. */
void	log_set_request(const char *id);
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_err(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Logs what failed plus every queued OpenSSL error, emptying the queue. */
void	log_ossl(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Silences log_info (the CLI and tests want quiet output). */
void	log_quiet(int);

#endif
