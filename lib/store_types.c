/*
 * store_types: the one table between the enums the code works with and
 * the strings the database stores.  Nothing else names a stored state.
 */
#include <string.h>

#include "store.h"

static const char *const endpoint_types[] = {
	[ENDPOINT_SSL] = "ssl",
	[ENDPOINT_SMIME] = "smime",
	[ENDPOINT_DEVICE] = "device",
	[ENDPOINT_BULK] = "bulk",
	[ENDPOINT_SCEP_SMIME] = "scep-smime",
	[ENDPOINT_SCEP_DEVICE] = "scep-device",
};

static const char *const request_statuses[] = {
	[REQ_INVITED] = "Invited",
	[REQ_AWAITING_VALIDATION] = "Awaiting validation",
	[REQ_REQUESTED] = "Requested",
	[REQ_APPROVED] = "Approved",
	[REQ_APPLIED] = "Applied",
	[REQ_ISSUED] = "Issued",
	[REQ_DECLINED] = "Declined",
	[REQ_REJECTED] = "Rejected",
	[REQ_REVOKED] = "Revoked",
	[REQ_EXPIRED] = "Expired",
};

static const char *const ber_statuses[] = {
	[BER_AWAITING_APPROVAL] = "Awaiting Approval",
	[BER_APPROVING] = "Approving",
	[BER_APPROVED] = "Approved",
	[BER_DECLINED] = "Declined",
	[BER_FAILED] = "Failed",
	[BER_SUCCESSFUL] = "Successful",
};

static const char *const scr_statuses[] = {
	[SCR_AWAITING_APPROVAL] = "Awaiting Approval",
	[SCR_APPROVED] = "Approved",
	[SCR_DECLINED] = "Declined",
	[SCR_FAILED] = "Failed",
	[SCR_ISSUED] = "Issued",
};

/* Returns the index of s in names (n of them), or -1. */
static int
lookup(const char *const *names, size_t n, const char *s)
{
	size_t	 i;

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

const char *
store_endpoint_type_name(enum endpoint_type t)
{
	if ((unsigned)t >= ENDPOINT__MAX)
		return NULL;
	return endpoint_types[t];
}

int
store_endpoint_type_parse(const char *s, enum endpoint_type *out)
{
	int	 i;

	if ((i = lookup(endpoint_types, ENDPOINT__MAX, s)) < 0)
		return 0;
	*out = (enum endpoint_type)i;
	return 1;
}

int
store_cert_type_parse(const char *s, enum cert_type *out)
{
	static const enum cert_type	 all[] = {
		CERT_SSL, CERT_SMIME, CERT_DEVICE
	};
	size_t				 i;

	for (i = 0; s != NULL && i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(policy_type_name(all[i]), s) == 0) {
			*out = all[i];
			return 1;
		}
	return 0;
}

const char *
store_status_name(enum req_status s)
{
	/* Out of range names nothing: the database refuses a NULL status. */
	if ((unsigned)s >= REQ__MAX)
		return NULL;
	return request_statuses[s];
}

int
store_status_parse(const char *s, enum req_status *out)
{
	int	 i;

	if ((i = lookup(request_statuses, REQ__MAX, s)) < 0)
		return 0;
	*out = (enum req_status)i;
	return 1;
}

int
store_endpoint_scep(enum endpoint_type t)
{
	switch (t) {
	case ENDPOINT_SCEP_SMIME:
	case ENDPOINT_SCEP_DEVICE:
		return 1;
	case ENDPOINT_SSL:
	case ENDPOINT_SMIME:
	case ENDPOINT_DEVICE:
	case ENDPOINT_BULK:
	case ENDPOINT__MAX:
		return 0;
	}
	return 0;
}

const char *
store_ber_status_name(enum ber_status s)
{
	if ((unsigned)s >= BER__MAX)
		return NULL;
	return ber_statuses[s];
}

const char *
store_scr_status_name(enum scr_status s)
{
	if ((unsigned)s >= SCR__MAX)
		return NULL;
	return scr_statuses[s];
}

int
store_ber_status_parse(const char *s, enum ber_status *out)
{
	int	 i;

	if ((i = lookup(ber_statuses, BER__MAX, s)) < 0)
		return 0;
	*out = (enum ber_status)i;
	return 1;
}

int
store_scr_status_parse(const char *s, enum scr_status *out)
{
	int	 i;

	if ((i = lookup(scr_statuses, SCR__MAX, s)) < 0)
		return 0;
	*out = (enum scr_status)i;
	return 1;
}
