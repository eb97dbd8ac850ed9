#pragma once
// <windows.h> as the project includes it: without the min/max macros (they break std::min)
// and without winsock.h (Boost.Asio brings winsock2.h). Include this instead of <windows.h>.

#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
