"""The socket `ler serve` shares between its workers gives every connection TCP_NODELAY: without it a response
written in two parts waited ~40 ms for the client's delayed ACK, on every request."""

import asyncio
import socket

from ops.serve import bind


def test_connections_accepted_on_the_served_socket_do_not_wait_to_send():
    async def accepted() -> list[int]:
        sock = bind("127.0.0.1", 0)
        seen: list[int] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.append(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=sock)
        reader, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        await reader.read()
        writer.close()
        server.close()
        await server.wait_closed()
        return seen

    assert [bool(flag) for flag in asyncio.run(accepted())] == [True]
