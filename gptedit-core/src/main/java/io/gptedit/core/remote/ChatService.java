package io.gptedit.core.remote;

/**
 * Chat completions with images (instruction rewriting, composition, judging).
 *
 * @since 0.1
 */
public interface ChatService {
  /**
   * Completes a chat.
   *
   * @param request the request
   * @return the reply
   * @throws RemoteException if the call failed
   */
  ChatResponse complete(ChatRequest request);
}
