// Generated from the zx-abi crate (kernel/abi) by kernel/abi/tests/generated.rs.
// Do not edit: change kernel/abi and run
//   ZX_ABI_REGEN=1 cargo test -p zx-abi --test generated
// Names, types, values and layouts are Zircon's; see docs/abi.md.
#ifndef ZIRCON_RIGHTS_H_
#define ZIRCON_RIGHTS_H_

#include <stdint.h>

typedef uint32_t zx_rights_t;

#define ZX_RIGHT_NONE ((zx_rights_t)0u)
#define ZX_RIGHT_DUPLICATE ((zx_rights_t)1u)
#define ZX_RIGHT_TRANSFER ((zx_rights_t)2u)
#define ZX_RIGHT_READ ((zx_rights_t)4u)
#define ZX_RIGHT_WRITE ((zx_rights_t)8u)
#define ZX_RIGHT_EXECUTE ((zx_rights_t)0x10u)
#define ZX_RIGHT_MAP ((zx_rights_t)0x20u)
#define ZX_RIGHT_GET_PROPERTY ((zx_rights_t)0x40u)
#define ZX_RIGHT_SET_PROPERTY ((zx_rights_t)0x80u)
#define ZX_RIGHT_ENUMERATE ((zx_rights_t)0x100u)
#define ZX_RIGHT_DESTROY ((zx_rights_t)0x200u)
#define ZX_RIGHT_SET_POLICY ((zx_rights_t)0x400u)
#define ZX_RIGHT_GET_POLICY ((zx_rights_t)0x800u)
#define ZX_RIGHT_SIGNAL ((zx_rights_t)0x1000u)
#define ZX_RIGHT_SIGNAL_PEER ((zx_rights_t)0x2000u)
#define ZX_RIGHT_WAIT ((zx_rights_t)0x4000u)
#define ZX_RIGHT_INSPECT ((zx_rights_t)0x8000u)
#define ZX_RIGHT_MANAGE_JOB ((zx_rights_t)0x10000u)
#define ZX_RIGHT_MANAGE_PROCESS ((zx_rights_t)0x20000u)
#define ZX_RIGHT_MANAGE_THREAD ((zx_rights_t)0x40000u)
#define ZX_RIGHT_SAME_RIGHTS ((zx_rights_t)0x80000000u)

#define ZX_RIGHTS_BASIC ((zx_rights_t)0xc003u)
#define ZX_RIGHTS_IO ((zx_rights_t)0xcu)
#define ZX_RIGHTS_PROPERTY ((zx_rights_t)0xc0u)
#define ZX_RIGHTS_POLICY ((zx_rights_t)0xc00u)
#define ZX_DEFAULT_CHANNEL_RIGHTS ((zx_rights_t)0xf00eu)
#define ZX_DEFAULT_EVENT_RIGHTS ((zx_rights_t)0xd003u)
#define ZX_DEFAULT_EVENTPAIR_RIGHTS ((zx_rights_t)0xf003u)
#define ZX_DEFAULT_PROCESS_RIGHTS ((zx_rights_t)0x6d3cfu)
#define ZX_DEFAULT_THREAD_RIGHTS ((zx_rights_t)0x4d2cfu)
#define ZX_DEFAULT_RESOURCE_RIGHTS ((zx_rights_t)0xc00bu)

#endif  // ZIRCON_RIGHTS_H_
