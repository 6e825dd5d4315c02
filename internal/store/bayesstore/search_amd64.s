#include "textflag.h"

// func searchLines(ks *uint64, n int, mix uint64, at *[getBatch]*line, o *Counts, end uintptr) uint32
//
// For j < n (n <= getBatch): k = ks[j]^mix, the window of the two lines
// at at[j] (128 bytes: eight slots of a key and its counts) is searched
// as searchBatchGo searches it: i = the number of the window's keys below
// k (unsigned: the keys and k with their top bit flipped, compared
// signed, VPCMPGTQ, whose all-ones lanes are −1: the key lanes, 0 and 2
// of each 32 bytes, summed and negated; the counts' lanes, 1 and 3, are
// left out). i < 8 and slot i's key k: o[j] = its counts when they are in
// the slot (spam and ham not both 0xFFFF); i < 8 and another key: o[j] =
// Counts{}. With k past the window the lines after it are searched (4
// keys each) as searchFrom searches them, up to end (the end of the
// table's lines). Otherwise (k past the lines before end, or counts in
// the big arrays) bit j of the result is set and o[j] left as it is.
//
// The layouts it takes (asserted in search_amd64.go): a slot is its key,
// spam and ham (16 bits each) and weight at 0, 8, 10 and 12, a line 64
// bytes; a Counts is Spam, Ham and Weight at 0, 4 and 8, 12 bytes.
TEXT ·searchLines(SB), NOSPLIT, $0-52
	MOVQ ks+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ mix+16(FP), DX
	MOVQ at+24(FP), R8
	MOVQ o+32(FP), R9
	MOVQ $0x8000000000000000, R13
	VMOVQ R13, X7
	VPBROADCASTQ X7, Y7
	XORL BX, BX
	XORL R12, R12
	TESTQ CX, CX
	JLE done

loop:
	MOVQ (SI)(BX*8), AX
	XORQ DX, AX
	MOVQ (R8)(BX*8), DI
	MOVQ AX, R10
	XORQ R13, R10
	VMOVQ R10, X0
	VPBROADCASTQ X0, Y0
	VPXOR (DI), Y7, Y1
	VPCMPGTQ Y1, Y0, Y1
	VPXOR 32(DI), Y7, Y2
	VPCMPGTQ Y2, Y0, Y2
	VPXOR 64(DI), Y7, Y3
	VPCMPGTQ Y3, Y0, Y3
	VPXOR 96(DI), Y7, Y4
	VPCMPGTQ Y4, Y0, Y4
	VPADDQ Y2, Y1, Y1
	VPADDQ Y4, Y3, Y3
	VPADDQ Y3, Y1, Y1
	VEXTRACTI128 $1, Y1, X2
	VPADDQ X2, X1, X1
	VMOVQ X1, R10
	NEGQ R10
	LEAQ (BX)(BX*2), R11
	CMPQ R10, $8
	JAE past

found:
	SHLQ $4, R10
	CMPQ AX, (DI)(R10*1)
	JNE absent
	MOVL 8(DI)(R10*1), AX
	CMPL AX, $-1
	JEQ miss
	MOVL 12(DI)(R10*1), R10
	MOVL AX, DI
	ANDL $0xFFFF, AX
	SHRL $16, DI
	MOVL AX, (R9)(R11*4)
	MOVL DI, 4(R9)(R11*4)
	MOVL R10, 8(R9)(R11*4)
	JMP next

absent:
	MOVQ $0, (R9)(R11*4)
	MOVL $0, 8(R9)(R11*4)
	JMP next

past:
	// k is past the window: the lines after it, one at a time, while
	// they are lines of the table (below end).
	ADDQ $128, DI

pastline:
	LEAQ 64(DI), R10
	CMPQ R10, end+40(FP)
	JHI miss
	VPXOR (DI), Y7, Y1
	VPCMPGTQ Y1, Y0, Y1
	VPXOR 32(DI), Y7, Y2
	VPCMPGTQ Y2, Y0, Y2
	VPADDQ Y2, Y1, Y1
	VEXTRACTI128 $1, Y1, X2
	VPADDQ X2, X1, X1
	VMOVQ X1, R10
	NEGQ R10
	CMPQ R10, $4
	JB found
	ADDQ $64, DI
	JMP pastline

miss:
	BTSL BX, R12

next:
	INCQ BX
	CMPQ BX, CX
	JLT loop

done:
	VZEROUPPER
	MOVL R12, ret+48(FP)
	RET

// func prefetchHomes(ks *uint64, n int, mix, nhome uint64, lines *line, at *[getBatch]*line)
//
// For j < n (n <= getBatch): at[j] = the home line of ks[j]^mix (the high
// word of the key × nhome, lineSize bytes a line from lines), prefetched
// with the line after it.
TEXT ·prefetchHomes(SB), NOSPLIT, $0-48
	MOVQ ks+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ mix+16(FP), R8
	MOVQ nhome+24(FP), R9
	MOVQ lines+32(FP), R10
	MOVQ at+40(FP), DI
	TESTQ CX, CX
	JLE phdone

phloop:
	MOVQ (SI), AX
	XORQ R8, AX
	MULQ R9
	SHLQ $6, DX
	ADDQ R10, DX
	MOVQ DX, (DI)
	PREFETCHT0 (DX)
	PREFETCHT0 64(DX)
	ADDQ $8, SI
	ADDQ $8, DI
	DECQ CX
	JNZ phloop

phdone:
	RET
