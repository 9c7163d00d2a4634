"""SIP/RTP telephony for the callbot: a PBX or the carrier trunk routes calls here (``thanglong sip-serve``).

Why our own small asyncio user agent, and not PyVoIP or pjsua2
--------------------------------------------------------------
* **PyVoIP 1.6.8** (Jan 2024, pure Python, installs on 3.11): a *phone* — ``VoIPPhone`` must register
  with a server and has no plain listening UAS for a trunk; it runs a thread per call and per RTP
  stream, converts G.711 through ``audioop`` (deprecated in 3.11, removed in 3.13) into 8-bit PCM, and
  has no RFC 4733 sending or SIP INFO digits. We would have patched most of what we need.
* **pjsua2**: the PyPI package ``pjsua2`` 2.12 is a source archive that does not build from PyPI
  (its setup.py reads ``../../../../version.mak`` from a pjproject checkout). A third-party wheel,
  ``pjsua2-python`` 2.15.1 (cp311 manylinux), does import and start; pjsip is the most complete SIP stack
  there is, but it is a C library with its own threads and sound-device model (custom PCM needs
  ``AudioMediaPort`` callbacks in pjsip's threads), repackaged by an individual rather than the pjsip
  project, and crashes in it take the whole process down.
* **Our own** (this package, about 2,000 lines with its test caller): the RFC 3261 subset a
  trunk-facing callbot needs (INVITE/ACK/BYE/CANCEL/OPTIONS/INFO, REFER for transfer, optional
  REGISTER with digest, a list of allowed peer networks), SDP offer/answer for PCMU/PCMA +
  telephone-event, RTP with a jitter buffer and a drift-free 20 ms sender, G.711 in numpy
  (bit-exact with the C reference, encoded by table lookup), all on one asyncio loop, no native
  code, and tested end to end on loopback with a second Python UA and with Debian's baresip. The callbot's
  session runs in a thread per call, so speech recognition never stalls the RTP clock.
  Not covered (a PBX in front handles them): TCP/TLS transport, SRTP, codecs other than G.711,
  late offers (INVITE without SDP), forking, and digest authentication of incoming calls (peers are
  limited by network instead: ``THANGLONG_SIP_ALLOWED_PEERS``).

Modules: ``g711`` (codecs), ``rtp`` (packets, jitter buffer, sender), ``sdp``, ``message`` (SIP parsing),
``endpoint`` (UDP transport, client transactions, digest), ``agent`` (the callbot's UAS), ``uac`` (a small
caller for tests), ``session`` (settings and the callbot's session).
"""
