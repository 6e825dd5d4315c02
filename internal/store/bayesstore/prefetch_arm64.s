#include "textflag.h"

// func prefetchLines(at *[getBatch]*line, n int)
TEXT ·prefetchLines(SB), NOSPLIT, $0-16
	MOVD at+0(FP), R0
	MOVD n+8(FP), R1
	CMP $0, R1
	BLE done
loop:
	MOVD.P 8(R0), R2
	PRFM (R2), PLDL1KEEP
	ADD $64, R2, R3
	PRFM (R3), PLDL1KEEP
	SUBS $1, R1, R1
	BNE loop
done:
	RET
