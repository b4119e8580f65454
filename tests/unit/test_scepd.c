/* test_scepd: the CertRep answers the SCEP server's handlers fill in. */
#include <string.h>

#include <openssl/x509.h>

#include "log.h"
#include "scepd.h"
#include "unit.h"

/* A FAILURE carries its failInfo and the formatted text, cut to fit. */
static void
test_answer_fail(void)
{
	struct scepd_answer	 a;
	char			 longid[400];

	memset(&a, 0, sizeof(a));
	CU_ASSERT_EQUAL(scepd_answer_fail(&a, SCEP_FAIL_BADCERTID,
	    "no request with transactionID %s", "abc"), 0);
	CU_ASSERT_EQUAL(a.status, SCEP_STATUS_FAILURE);
	CU_ASSERT_EQUAL(a.fail_info, SCEP_FAIL_BADCERTID);
	CU_ASSERT_STRING_EQUAL(a.text, "no request with transactionID abc");
	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	scepd_answer_fail(&a, SCEP_FAIL_BADREQUEST, "%s", longid);
	CU_ASSERT_EQUAL(strlen(a.text), sizeof(a.text) - 1);
}

/* A SUCCESS holds its own reference to the certificate and clears the text. */
static void
test_answer_cert(void)
{
	struct scepd_answer	 a;
	X509			*x;

	memset(&a, 0, sizeof(a));
	CU_ASSERT_FATAL((x = X509_new()) != NULL);
	scepd_answer_fail(&a, SCEP_FAIL_BADREQUEST, "earlier");
	CU_ASSERT_EQUAL(scepd_answer_cert(&a, x), 1);
	X509_free(x);
	CU_ASSERT_EQUAL(a.status, SCEP_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(a.fail_info, SCEP_FAIL_NONE);
	CU_ASSERT_STRING_EQUAL(a.text, "");
	CU_ASSERT_FATAL(a.certs != NULL && sk_X509_num(a.certs) == 1);
	CU_ASSERT_PTR_EQUAL(sk_X509_value(a.certs, 0), x);
	sk_X509_pop_free(a.certs, X509_free);
}

static void
register_scepd(void)
{
	CU_pSuite	 s;

	log_quiet(1);
	s = CU_add_suite("scepd", NULL, NULL);
	UNIT_ADD(s, test_answer_fail);
	UNIT_ADD(s, test_answer_cert);
}

UNIT_MAIN(register_scepd)
