print("resonate")
