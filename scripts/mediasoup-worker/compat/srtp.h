/*
 * BranchEdge: the libsrtp3 API that mediasoup-worker >= 3.2x is written
 * against (versatica's libsrtp fork), implemented on Debian's libsrtp2 2.5.
 *
 * Why: mediasoup's meson build fetches libsrtp3 from GitHub, which these
 * machines cannot reach. Only the calls the worker makes are provided.
 * This directory is put first on the include path, so `#include <srtp.h>`
 * in the worker lands here.
 */
#ifndef BRANCHEDGE_SRTP3_COMPAT_H
#define BRANCHEDGE_SRTP3_COMPAT_H

#include <srtp2/srtp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Status codes that libsrtp2 does not have. */
#define srtp_err_status_buffer_small ((srtp_err_status_t)28)
#define srtp_err_status_cryptex_err ((srtp_err_status_t)29)

/* libsrtp3: the policy is an opaque handle built by setter calls. */
typedef struct be_srtp_policy
{
	srtp_policy_t base;
	unsigned char keyAndSalt[SRTP_MAX_KEY_LEN];
} be_srtp_policy;

static inline srtp_err_status_t be_srtp_policy_create(be_srtp_policy** out)
{
	be_srtp_policy* p = (be_srtp_policy*)calloc(1, sizeof(be_srtp_policy));
	if (p == NULL)
		return srtp_err_status_alloc_fail;
	p->base.key         = p->keyAndSalt;
	p->base.window_size = 128;
	*out                = p;
	return srtp_err_status_ok;
}

static inline void be_srtp_policy_destroy(be_srtp_policy* p)
{
	if (p == NULL)
		return;
	memset(p->keyAndSalt, 0, sizeof(p->keyAndSalt)); /* do not leave key material on the heap */
	free(p);
}

static inline srtp_err_status_t be_srtp_policy_set_ssrc(be_srtp_policy* p, srtp_ssrc_t ssrc)
{
	p->base.ssrc = ssrc;
	return srtp_err_status_ok;
}

static inline srtp_err_status_t be_srtp_policy_set_profile(be_srtp_policy* p, srtp_profile_t profile)
{
	srtp_err_status_t err = srtp_crypto_policy_set_from_profile_for_rtp(&p->base.rtp, profile);
	if (err != srtp_err_status_ok)
		return err;
	return srtp_crypto_policy_set_from_profile_for_rtcp(&p->base.rtcp, profile);
}

static inline srtp_err_status_t be_srtp_policy_add_key(
  be_srtp_policy* p,
  const uint8_t* key,
  size_t keyLen,
  const uint8_t* salt,
  size_t saltLen,
  const uint8_t* mki,
  size_t mkiLen)
{
	/* libsrtp2 takes one buffer: master key followed by master salt. MKI is unused by the worker. */
	if (mki != NULL || mkiLen != 0 || keyLen + saltLen > sizeof(p->keyAndSalt))
		return srtp_err_status_bad_param;
	memcpy(p->keyAndSalt, key, keyLen);
	memcpy(p->keyAndSalt + keyLen, salt, saltLen);
	return srtp_err_status_ok;
}

static inline srtp_err_status_t be_srtp_policy_set_allow_repeat_tx(be_srtp_policy* p, bool allow)
{
	p->base.allow_repeat_tx = allow ? 1 : 0;
	return srtp_err_status_ok;
}

static inline srtp_err_status_t be_srtp_policy_set_window_size(be_srtp_policy* p, size_t size)
{
	p->base.window_size = (unsigned long)size;
	return srtp_err_status_ok;
}

static inline srtp_err_status_t be_srtp_create(srtp_t* session, be_srtp_policy* p)
{
	return srtp_create(session, &p->base);
}

/*
 * libsrtp3 protects from an input buffer into an output buffer with size_t
 * lengths; libsrtp2 works in place with int lengths. Copy, then work in place.
 */
typedef srtp_err_status_t (*be_srtp_inplace_fn)(srtp_t, void*, int*);

static inline srtp_err_status_t be_srtp_transform(
  be_srtp_inplace_fn fn, srtp_t ctx, const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen, size_t growth)
{
	if (inLen + growth > *outLen)
		return srtp_err_status_buffer_small;
	if (out != in)
		memmove(out, in, inLen);
	int len               = (int)inLen;
	srtp_err_status_t err = fn(ctx, out, &len);
	if (err == srtp_err_status_ok)
		*outLen = (size_t)len;
	return err;
}

static inline srtp_err_status_t be_srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtpLen, uint8_t* srtp, size_t* srtpLen, size_t mkiIndex)
{
	(void)mkiIndex;
	return be_srtp_transform(srtp_protect, ctx, rtp, rtpLen, srtp, srtpLen, SRTP_MAX_TRAILER_LEN);
}

static inline srtp_err_status_t be_srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtpLen, uint8_t* rtp, size_t* rtpLen)
{
	return be_srtp_transform(srtp_unprotect, ctx, srtp, srtpLen, rtp, rtpLen, 0);
}

static inline srtp_err_status_t be_srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcpLen, uint8_t* srtcp, size_t* srtcpLen, size_t mkiIndex)
{
	(void)mkiIndex;
	/* SRTCP adds the E-flag/index word in front of the auth tag. */
	return be_srtp_transform(
	  srtp_protect_rtcp, ctx, rtcp, rtcpLen, srtcp, srtcpLen, SRTP_MAX_TRAILER_LEN + 4);
}

static inline srtp_err_status_t be_srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcpLen, uint8_t* rtcp, size_t* rtcpLen)
{
	return be_srtp_transform(srtp_unprotect_rtcp, ctx, srtcp, srtcpLen, rtcp, rtcpLen, 0);
}

/* Below this line, the worker's libsrtp3 names resolve to the functions above. */
#define srtp_policy_t be_srtp_policy*
#define srtp_policy_create be_srtp_policy_create
#define srtp_policy_destroy be_srtp_policy_destroy
#define srtp_policy_set_ssrc be_srtp_policy_set_ssrc
#define srtp_policy_set_profile be_srtp_policy_set_profile
#define srtp_policy_add_key be_srtp_policy_add_key
#define srtp_policy_set_allow_repeat_tx be_srtp_policy_set_allow_repeat_tx
#define srtp_policy_set_window_size be_srtp_policy_set_window_size
#define srtp_create be_srtp_create
#define srtp_protect be_srtp_protect
#define srtp_unprotect be_srtp_unprotect
#define srtp_protect_rtcp be_srtp_protect_rtcp
#define srtp_unprotect_rtcp be_srtp_unprotect_rtcp
#define srtp_stream_remove srtp_remove_stream

#endif
